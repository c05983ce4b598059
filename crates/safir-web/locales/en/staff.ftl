## staff

staff-title = Staff workspace
staff-heading = My missions
staff-no-missions = No mission is assigned to you yet.
staff-missions-count = { $count ->
    [one] You work with one mission.
   *[other] You work with { $count } missions.
}
staff-crisis-heading = Crisis response
list-separator = {", "}

## Names shared by the staff and admin pages

role-admin = Administrator
role-head-of-mission = Head of mission
role-consular-officer = Consular officer
role-press-officer = Press officer
role-analyst = Analyst
mission-kind-headquarters = Headquarters
mission-kind-embassy = Embassy
mission-kind-consulate = Consulate
mission-kind-permanent-mission = Permanent mission
content-language-ar = Arabic
content-language-en = English
content-language-fr = French
mission-field-code = Code
mission-field-kind = Kind
mission-field-name-ar = Name in Arabic
mission-field-name-en = Name in English
mission-field-other-name = Name in the other language
mission-field-country = Country
mission-field-city = City
mission-field-city-ar = City in Arabic
mission-field-city-en = City in English
mission-field-languages = Working languages
mission-field-time-zone = Time zone
mission-field-email = Email
mission-field-phone = Telephone
mission-field-address = Address
user-field-name = Name
user-field-email = Email
user-field-roles = Roles
user-disabled = Disabled
jobs-state-queued = Waiting
jobs-state-running = Running
jobs-state-done = Done
jobs-state-dead = Failed for good

## Mission dashboard

dashboard-title = Dashboard
dashboard-mission-card = About the mission
dashboard-panel-staff = Team
dashboard-staff-count = Active staff
dashboard-panel-jobs = Background jobs (whole ministry)
dashboard-jobs-link = Review failed jobs
dashboard-staff-heading = Staff and roles
dashboard-no-staff = No one holds a role at this mission yet.
