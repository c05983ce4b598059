# Consular services: catalogue, applications, the applicant's cases, emails.

consular-title = Consular services
consular-lead = Renew a passport, apply for a visa or ask for help abroad, online. Choose the mission that serves where you live or travel.
consular-no-services = No mission offers online services yet.
consular-fee = Fee
consular-fee-free = Free
consular-processing = Processing target
consular-processing-days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
consular-documents = Documents to prepare
consular-apply = Apply online
consular-sign-in-to-apply = Sign in or create an account to apply.

case-kind-passport-renewal = Passport renewal
case-kind-visa = Visa application
case-kind-emergency = Emergency assistance
case-kind-emergency-travel-document = Emergency travel document

case-state-draft = Draft
case-state-submitted = Submitted
case-state-in-review = In review
case-state-needs-info = Information requested
case-appointment = Appointment
case-appointment-manage = Move or cancel
case-state-approved = Approved
case-state-rejected = Refused
case-state-withdrawn = Withdrawn
case-state-ready-for-collection = Ready for collection
case-state-ready-sent-by-courier = Ready and sent by courier
case-state-closed = Closed

case-action-submit = Submit the application
case-action-start-review = Start review
case-action-request-info = Ask for information
case-action-provide-info = Send my answer
case-action-approve = Approve
case-action-reject = Refuse
case-action-withdraw = Withdraw my application
case-action-mark-ready-for-collection = Ready for collection
case-action-close = Close the case

case-priority-critical = Critical
case-priority-high = High
case-priority-normal = Normal
case-priority-low = Low

case-reason-approved = Your application is approved.
case-reason-documents-incomplete = The documents requested were not provided or are incomplete.
case-reason-identity-not-established = Your identity could not be established from the documents provided.
case-reason-purpose-not-justified = The purpose and conditions of the intended stay were not justified.
case-reason-insufficient-means = Sufficient means of subsistence were not shown.
case-reason-previous-overstay = A previous stay exceeded the period allowed.
case-reason-security-grounds = The application was refused on public-order or security grounds.
case-reason-not-eligible = You are not eligible for this service.
case-reason-other = Please read the message from the mission.

# Application form
apply-title = Apply: { $service }
apply-mission = Mission
apply-save = Save and continue later
apply-saved = Your draft is saved. You can come back to it from "My applications" until { $date }.
apply-saved-answer = Your changes are saved. Press "Send my answer" when they are complete: the mission is told then.
apply-not-saved-copied = This application was already sent, so it can no longer be changed and your changes were not saved. They are copied into the message below: send it if the mission should know of them.
apply-not-saved = This application is closed, so it can no longer be changed and your changes were not saved.
apply-draft-lost = The draft you were filling in was no longer there (it had expired, or was discarded in another window). What you typed is in this new draft: check it, then send it.
apply-service-disabled = The mission no longer offers this service online, so this application cannot be sent. Your draft is kept until it expires; contact the mission to apply another way.
apply-discard = Delete this draft
apply-draft-expires = This draft is kept until { $date }.
apply-section-identity = Who is applying
apply-section-passport = Passport
apply-section-travel = Travel
apply-section-collection = Collection
apply-section-emergency = What happened
apply-mrz-hint = Optional: copy the two or three lines at the bottom of your passport's photo page, exactly as printed, with the < signs.

field-surname = Surname (as in the passport)
field-given-names = Given names
field-birth-date = Date of birth
field-birth-place = Place of birth
field-passport-number = Passport number
field-passport-expiry = Passport expiry date
field-mrz = Machine-readable zone
field-phone = Phone number
field-collection = How do you want to receive the passport?
field-collection-mission = I will collect it at the mission
field-collection-courier = Send it by courier
field-courier-address = Delivery address
field-nationality = Nationality
field-visa-type = Type of visa
field-arrival-date = Arrival date
field-departure-date = Departure date
field-itinerary = Itinerary (cities and dates)
field-host-name = Host or inviting organisation
field-host-address = Host address
field-fee-reference = Fee payment reference
field-police-report = Police report number
field-travel-date = Planned travel date
field-destination = Destination
field-category = What kind of help do you need?
field-description = Describe the situation
field-location = Where are you now?
field-latitude = Latitude
field-longitude = Longitude
field-message = Message

visa-type-tourist = Tourism
visa-type-business = Business
visa-type-study = Study
visa-type-transit = Transit
visa-type-work = Work
visa-type-family-visit = Family visit
visa-type-medical = Medical treatment

emergency-category-arrest = Arrest or detention
emergency-category-medical = Medical emergency
emergency-category-missing-person = Missing person
emergency-category-crime = Victim of a crime
emergency-category-lost-passport = Lost or stolen passport
emergency-category-other = Other

field-error-consular-date-invalid = Enter a date like 2027-01-31.
field-error-consular-birth-date-too-early = A date of birth cannot be before { $earliest }: check the year.
field-error-consular-birth-date-not-past = A date of birth must be before today.
field-error-consular-date-must-be-future = This date must be today or later.
field-error-consular-expiry-before-birth = The expiry date must be after the date of birth.
field-error-consular-choice-required = Choose one of the options.
field-error-consular-phone-invalid = Enter a phone number with 6 to 17 digits, for example +33 1 23 45 67 89.
field-error-consular-coordinate-invalid = Enter a decimal number, for example 48.8566.
field-error-consular-coordinate-out-of-range = Latitude is between -90 and 90, longitude between -180 and 180.
field-error-consular-coordinate-pair = Give both latitude and longitude, or neither.
field-error-consular-departure-before-arrival = The departure date must be on or after the arrival date.
field-error-consular-stay-too-long = A stay can last at most 180 days.
field-error-consular-reason-needs-message = Explain the refusal in a message to the applicant: this reason only asks them to read it.
field-error-consular-evisa-validity-order = The e-visa would end before it starts: the departure date must come after the arrival date.
field-error-consular-evisa-max-stay-invalid = An e-visa covers a stay of 1 to 3,650 days: check the arrival and departure dates.
field-error-consular-visa-type-invalid = This visa type cannot be printed on an e-visa: choose one of the mission’s visa types.
field-error-consular-form-fails-checks = Your application no longer passes its checks since it was changed. Correct it with “Continue the application”, which names each field, then send your answer.
field-error-consular-passport-expires-before-departure = Your passport expires before the end of your stay.
field-error-consular-country-code-format = Choose a country from the list.
field-error-consular-country-code-unknown = Choose a country from the list.
field-error-consular-passport-number-empty = Enter your passport number.
field-error-consular-passport-number-too-long = A passport number has at most 9 characters.
field-error-consular-passport-number-invalid-character = Use only Latin letters and digits, as printed in the passport.
field-error-consular-mrz-line-count = The machine-readable zone has { $found } { $found ->
    [one] line
   *[other] lines
}: a passport has two, an identity card three.
field-error-consular-mrz-line-length = Line { $line } of the machine-readable zone has { $found } { $found ->
    [one] character
   *[other] characters
}; it needs { $expected } (a passport's lines have 44, an identity card's 30).
field-error-consular-mrz-invalid-character = The machine-readable zone contains only capital Latin letters, digits and the < sign: character { $column } of line { $line } is not one of them.
field-error-consular-mrz-document-code = This zone is not from a passport or an identity card.
field-error-consular-mrz-document-number-missing = The document number is missing from the machine-readable zone.
field-error-consular-mrz-invalid-name = The name in the machine-readable zone is not valid.
field-error-consular-mrz-check-digit-document-number = The check digit of the document number does not match: check the passport number in the zone.
field-error-consular-mrz-check-digit-birth-date = The check digit of the date of birth does not match: check the date of birth in the zone.
field-error-consular-mrz-check-digit-expiry-date = The check digit of the expiry date does not match: check the expiry date in the zone.
field-error-consular-mrz-check-digit-personal-number = The check digit of the personal number does not match.
field-error-consular-mrz-check-digit-composite = The final check digit does not match: one of the characters of the second line is mistyped.
field-error-consular-mrz-invalid-date-birth = The date of birth in the machine-readable zone is not a real date.
field-error-consular-mrz-invalid-date-expiry = The expiry date in the machine-readable zone is not a real date.
field-error-consular-mrz-expiry-out-of-range = The expiry date in the machine-readable zone is too far in the past or the future.
field-error-consular-mrz-unknown-issuing-state = The issuing state in the machine-readable zone is not a known country code.
field-error-consular-mrz-unknown-nationality = The nationality in the machine-readable zone is not a known country code.
field-error-consular-mrz-unknown-sex = The sex in the machine-readable zone must be F, M or <.
field-error-consular-mrz-document-number-too-long = The document number in this machine-readable zone is longer than a passport number (9 characters): paste the zone of the passport you travel with.
field-error-consular-mrz-mismatch-passport-number = This passport number is not the one in the machine-readable zone.
field-error-consular-mrz-mismatch-expiry-date = This expiry date is not the one in the machine-readable zone.
field-error-consular-mrz-mismatch-birth-date = This date of birth is not the one in the machine-readable zone.
field-error-consular-mrz-mismatch-surname = This surname is not the one in the machine-readable zone: type it as your passport prints it.
field-error-consular-mrz-mismatch-given-names = These given names are not the ones in the machine-readable zone: type them as your passport prints them.
field-error-consular-mrz-mismatch-nationality = This nationality is not the one in the machine-readable zone.
field-error-consular-message-required = Write a message.

# The applicant's cases
my-cases-title = My applications
my-cases-empty = You have no applications yet.
my-cases-new = Start an application
case-reference = Reference
case-service = Service
case-state = Status
case-updated = Last change
case-submitted-at = Submitted
case-timeline = History
case-messages = Messages
case-no-messages = No messages yet.
case-message-from-mission = Mission
case-message-from-you = You
case-send-message = Send
case-needs-info-lead = The mission needs more information. Answer below, and upload any document requested.
case-emergency-received = Your request has reached the mission's consular duty officers. You will be told here and by email when one of them takes it on.
case-emergency-ack-by = To be acknowledged by:
case-emergency-escalated = It was not acknowledged in time, so it has been passed on to more of the mission's officers and to the head of mission.
case-emergency-danger = If a life is in danger, call the local emergency services first.
case-emergency-phone = The mission's telephone:
my-cases-clock = Each change is dated on the clock of the mission that has the application.
my-cases-evisas = My e-visas
my-cases-evisa-validity = Valid from – until
case-times-zone = Times on this page are on the mission's clock:
case-needs-info-asked = The mission asks:
case-continue-draft = Continue the application
case-decision = Decision
case-withdraw-confirm = Withdraw this application? The mission will stop working on it.
case-conflict = This application changed meanwhile. Here is its current state.
case-data-export = Download all my data (JSON)

# Emails
email-case-update-subject = { $reference }: { $state }
email-case-update-body =
    Hello { $name },

    Your application { $reference } is now: { $state }.

    { $note }

    Follow it and answer the mission here:
    { $link }

# The same by SMS, to someone reached by phone (a crisis registrant without an account).
sms-case-update = { $reference }: { $state }. { $note } Follow it and answer the mission: { $link }

case-notice-submitted = Your application is submitted. We have sent you an email with its reference.
case-notice-answered = Your answer is sent: the mission is reviewing your application again.
case-notice-discarded = The draft is deleted.
case-notice-withdrawn = Your application is withdrawn.
case-notice-decided-first = The mission decided on this application before your withdrawal arrived, so it was not withdrawn: its decision is below.
case-notice-sent = Your message is sent to the mission.
nav-consular = Consular services
nav-cases = My applications

email-case-escalated-subject = Unanswered emergency { $reference } (escalation { $level })
# $told: "holder" to the officer the case was just handed to; "kept" to the officer who holds
# it, with nobody else to hand it to; "moved" to the officer it was taken from; "informed" to
# heads of mission and administrators. $held: "yes" when an officer ($officer) holds it now.
email-case-escalated-body =
    { $told ->
        [holder] An emergency request has not been acknowledged in time and is now yours to act on.
        [kept] An emergency request assigned to you has not been acknowledged in time. It stays yours to act on: there is no other officer to pass it on to.
        [moved] An emergency request assigned to you was not acknowledged in time, so it has been passed on to { $officer }: it is no longer yours. If you are dealing with it, assign it to yourself again and acknowledge receipt now.
       *[informed] { $held ->
            [yes] An emergency request has not been acknowledged in time. It is now held by { $officer }; you are told so that you can follow it up.
           *[no] An emergency request has not been acknowledged in time, and no officer holds it; you are told so that you can follow it up.
        }
    }

    Reference: { $reference }
    Situation: { $category }
    Location: { $location }
    Phone: { $phone }

    Open it and acknowledge receipt:
    { $link }

# To the officer a case is assigned to, when its applicant writes and nobody has answered yet.
email-case-applicant-wrote-subject = { $reference }: the applicant wrote
email-case-applicant-wrote-body =
    The applicant of { $reference }, a case assigned to you, has written to the mission.

    Read the message and answer it on the case's page:
    { $link }

    Further messages before the mission answers are not mailed again.

# To an officer a colleague has just given a case to.
email-case-assigned-subject = { $reference }: assigned to you
email-case-assigned-body =
    { $by } has assigned the case { $reference } to you.
    { $waiting ->
        [yes] Its applicant has written to the mission and waits for an answer.
       *[no] Its applicant has no message waiting for an answer.
    }

    Open the case's page:
    { $link }

field-error-consular-name-latin = Write the name in Latin letters without accents, as in your passport's machine-readable zone.
field-error-consular-name-too-long-for-evisa = Surname and given names together can hold at most 64 characters, as the e-visa prints them. Write them as the machine-readable zone of your passport prints them.
field-error-consular-departure-passed = The departure date has passed: an e-visa issued now would already be expired. Ask the applicant for new travel dates.
case-evisa-ready = Your e-visa is ready: open it, print it or save it as a PDF here.
case-evisa-open = Open my e-visa
case-evisa-revoked = The mission has revoked your e-visa: it is no longer valid for travel.
case-evisa-open-revoked = See the revoked e-visa
apply-documents-hint = Save the form before adding documents: uploading a file reloads this page.
decision-title = Decision on your application
decision-page = { $reference } · page { $page } of { $pages }
decision-download = Download the decision (PDF)
decision-applicant = Applicant
decision-reason = Grounds
decision-message = Message from the mission
decision-date = Date of the decision
apply-autosaved = Saved automatically at { $time }.
apply-autosave-elsewhere = Not saved: this application was changed in another tab or window. Reload the page to see it; or press "Save and continue later" to see what this page holds beside it, and press it again there to keep this page's values instead.
apply-saved-elsewhere = This application was changed in another tab or window after this page was opened, so what you see here was not saved over it. Check it: pressing "Save and continue later" or sending from this page now keeps what it holds, in place of the other changes.
apply-autosave-failed = Not saved automatically (the connection or the session may have ended). What you typed is still here: save it with the button below.
apply-location-use = Use my current location
apply-location-filled = The latitude and longitude are filled in from your device: check them before sending.
apply-location-failed = Your location could not be read. You can type the coordinates, or leave them empty and describe the place.

# An emergency request refused by the account's limits; the draft keeps what was typed.
apply-emergency-limit-hourly = { $minutes ->
    [one] Not sent: you have sent as many emergency requests in the past hour as one account may (at most { $count }). Your request is kept here as a draft: you can send it in one minute. If someone's life is in danger, call the local emergency services now; to reach the mission sooner, telephone it.
   *[other] Not sent: you have sent as many emergency requests in the past hour as one account may (at most { $count }). Your request is kept here as a draft: you can send it in { $minutes } minutes. If someone's life is in danger, call the local emergency services now; to reach the mission sooner, telephone it.
}
apply-emergency-limit-open = Not sent: as many of your emergency requests as one account may have (at most { $count }) are still waiting for the mission to acknowledge them. Your request is kept here as a draft: you can send it once one of them is acknowledged, or add what is new to one of them by writing on its page in "My applications". If someone's life is in danger, call the local emergency services now.
