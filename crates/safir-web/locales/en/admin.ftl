## admin

admin-title = Administration
admin-missions-title = Missions
admin-missions-description = The ministry and its missions: names, country, city, languages and contacts.
admin-users-title = Users and roles
admin-users-description = Staff accounts, their roles at each mission, passwords and access.
admin-audit-title = Audit trail
admin-audit-description = Who did what and when; filter, export and check the trail's integrity.
admin-jobs-title = Background jobs
admin-jobs-description = Queue activity and jobs that failed for good, with a retry button.
admin-actions = Actions
admin-edit = Edit
admin-save = Save
admin-choose = Choose…
admin-any = Any
admin-filter = Filter
admin-yes = Yes

## Missions

admin-missions-empty = There are no missions yet.
admin-mission-name = Name
admin-mission-new-title = New mission
admin-mission-edit-title = Edit mission
admin-mission-created = The mission was created.
admin-mission-changed = Another administrator saved this mission while you were editing it. Your changes are below and not saved yet: compare them with the mission as it now is (open it in another tab), then save again.
admin-mission-saved = The mission was saved.
mission-hint-code = Two to six Latin capital letters, used in references (for example PAR).
mission-hint-time-zone = An IANA time zone name, for example Europe/Paris or Africa/Nairobi.
field-error-admin-mission-code-invalid = Enter two to six Latin letters, for example PAR.
field-error-admin-mission-code-taken = Another mission already uses this code.
field-error-admin-mission-code-used = Cases or e-visas of another mission carry this code in their numbers; give this mission another code, or their numbers would collide.
field-error-admin-mission-time-zone-in-use = Appointments still to come are booked at this mission on its current clock, so its time zone cannot change while they stand: the same opening hours would fall at other times. Move or cancel them first (the day list shows them).
field-error-admin-mission-kind-unknown = Choose a kind of mission from the list.
field-error-admin-country-code-format = Choose a country from the list.
field-error-admin-country-code-unknown = Choose a country from the list.
field-error-admin-languages-required = Tick at least one working language.
field-error-admin-language-unknown = Choose a language from the list.
field-error-admin-time-zone-invalid = Enter a time zone such as Europe/Paris or UTC.
field-error-admin-phone-invalid = Enter a telephone number with digits, spaces, dashes and an optional leading +.
field-error-admin-date-invalid = Enter a date as YYYY-MM-DD.
field-error-admin-date-before-from = The end date must not be before the start date.

## Users

admin-users-search = Name or email
admin-users-kind = Account type
admin-users-role = Role
admin-users-empty = No user matches these filters.
admin-users-more = More accounts match than are listed here, the newest first: search by name or address, or choose a kind or a role, to find the others.
admin-kind-staff = Staff
admin-kind-public = Public
admin-kind-public-with-roles = Public, holds roles
admin-scope-ministry = Whole ministry
admin-user-new-title = New staff account
admin-user-new-lead = The new colleague receives a one-time password from you and sets up two-step verification when they first sign in.
admin-user-language = Interface language
admin-user-create = Create the account
admin-user-created-title = Staff account created
admin-user-created = The account was created.
admin-user-created-again = This account was already created by this same form (it was sent twice). Its one-time password was in the answer to the first sending; if you did not see it, reset the password below for a new one.
admin-one-time-password-lead = Give this one-time password to the colleague through a safe channel. It is shown only now and cannot be displayed again.
admin-one-time-password-totp = At their first sign-in they will be asked to set up two-step verification with an authenticator app.
admin-user-open = Open the account
admin-user-title = User
admin-user-two-factor = Two-step verification
admin-user-two-factor-pending = Not set up yet
admin-user-created-at = Created
admin-user-email-confirmed = Address confirmed
admin-user-email-unconfirmed = No: its owner has not confirmed it yet
admin-user-no-roles = This user holds no role.
admin-user-account = Account
admin-user-audit-link = This user in the audit trail
admin-user-audit-actor-link = Actions by this user
admin-grant-title = Grant a role
admin-grant-role = Role
admin-grant-scope = Where
admin-grant = Grant
admin-grant-unconfirmed-hint = Its owner has not confirmed the account's email address: no role can be granted until they do.
admin-grant-unconfirmed = No role can be granted to this account yet: its email address was never confirmed, and anyone can open an account with someone else's address. Its owner must confirm the address first, with the link emailed to them or a new one ("Send a new confirmation link" on their account page); then grant the role again.
admin-revoke = Revoke
admin-disable = Disable the account
admin-enable = Enable the account
admin-reset-password = Reset the password
admin-reset-password-hint = A new one-time password is shown once and the user is signed out everywhere.
admin-reset-two-factor = Reset two-step verification
admin-reset-two-factor-hint = For someone who lost both their authenticator and their recovery codes: two-step verification is turned off, the user is signed out everywhere and told by email. An account that needs it sets it up again at its next sign-in.
admin-password-reset-title = Password reset
admin-password-reset-done = The password was reset.
admin-password-reset-again = This password was already reset by this same form (it was sent twice): no other password was made. The new one-time password was in the answer to the first sending; if you did not see it, reset the password again below for a new one.
admin-user-granted = The role was granted.
admin-user-granted-tokens-revoked = { $count ->
    [one] The role was granted. The API token this account made before it held any role was revoked, as it may have been made without two-step verification; its owner can make a new one after signing in with two-step verification.
   *[other] The role was granted. The { $count } API tokens this account made before it held any role were revoked, as they may have been made without two-step verification; its owner can make new ones after signing in with two-step verification.
}
admin-user-revoked = The role was revoked.
admin-user-disabled = The account was disabled, its sessions were ended and its API tokens revoked.
admin-user-enabled = The account was enabled.
admin-user-two-factor-reset = Two-step verification was turned off and the user signed out everywhere. They were told by email.
admin-last-admin = This is the last active ministry-wide administrator. Grant the administrator role to someone else first.
admin-own-account-disable = You cannot disable your own account. Another administrator can do it.
admin-own-admin-role = You cannot revoke your own ministry-wide administrator role. Another administrator can do it.
admin-own-two-factor-reset = You cannot reset your own two-step verification. Another administrator can do it.
field-error-admin-email-taken = An account with this email address already exists.
field-error-admin-role-unknown = Choose a role from the list.
field-error-admin-scope-unknown = Choose the whole ministry or a mission from the list.
field-error-admin-invalid-characters = Remove the control characters from this field.

## Audit trail

admin-audit-chain-title = Integrity of the trail
admin-audit-verify = Verify the chain
admin-audit-chain-intact = { $count ->
    [one] The chain is intact: one record checked.
   *[other] The chain is intact: { $count } records checked.
}
admin-audit-chain-broken = The chain is broken at record
admin-audit-reason-missing = a record is missing
admin-audit-reason-link = the link to the previous record was altered
admin-audit-reason-content = the record's content was altered
admin-audit-chain-head = The newest record is number { $seq }; its hash:
admin-audit-chain-head-note = Note these down, or keep an export. Deleting the newest records is not detected by the chain itself: it stays whole, only shorter. Compare the number and hash shown here with ones noted earlier: a lower number, or a different hash at the same number, means records were removed or replaced.
admin-audit-actor = Actor
admin-audit-action = Action
admin-audit-mission = Mission
admin-audit-any-mission = Any mission
admin-audit-any-action = Any action
admin-audit-target = Target
admin-audit-from = From (date, UTC)
admin-audit-to = To (date, UTC, inclusive)
admin-audit-at = Time
admin-audit-client-ip = Address
admin-audit-summary = Summary
admin-audit-export = Download these records as CSV
admin-audit-empty = No record matches these filters.
admin-audit-pages = Pages of the trail
admin-audit-older = Older records
admin-audit-newest = Newest records

## Jobs

admin-jobs-dead = Failed jobs
admin-jobs-hidden-note = Message texts, links and other secrets in job data are hidden.
admin-jobs-none-dead = No job has failed for good.
admin-job-attempts = Attempts
admin-job-failed-at = Failed at
admin-job-last-error = Last error
admin-job-payload = Payload
admin-job-retry = Retry
admin-job-retried = The job is back in the queue.
admin-jobs-kinds = Failed jobs by kind
admin-jobs-all-kinds = All kinds
admin-jobs-pages = Pages of failed jobs
admin-jobs-older = Older failed jobs
admin-jobs-retry-all = { $count ->
    [one] Retry the one failed job of this kind
   *[other] Retry all { $count } failed jobs of this kind
}
admin-jobs-retried-all = { $count ->
    [0] No failed job of this kind was left to retry.
    [one] One job is back in the queue.
   *[other] { $count } jobs are back in the queue.
}

## Audit actions, by their code with "." and "_" written "-" (the code is shown beside).
audit-action-alert-approve = Alert approved
audit-action-alert-cancel = Alert withdrawn
audit-action-alert-create = Alert drafted
audit-action-alert-edit = Alert edited
audit-action-alert-import = Alert imported from CAP
audit-action-alert-preview = Alert audience counted
audit-action-alert-reject = Alert sent back
audit-action-alert-submit = Alert submitted for approval
audit-action-appointment-cancel = Appointment cancelled by staff
audit-action-appointment-read = Appointment bookings viewed
audit-action-appointment-closure-create = Closure added to the appointments
audit-action-appointment-closure-remove = Closure removed from the appointments
audit-action-appointment-rule-create = Weekly opening hours added
audit-action-appointment-rule-remove = Weekly opening hours removed
audit-action-audit-export = Audit trail downloaded
audit-action-audit-read = Audit trail read
audit-action-case-approve = Application approved
audit-action-case-assign = Application assigned
audit-action-case-close = Application closed
audit-action-case-escalate = Unacknowledged emergency escalated
audit-action-case-export = Case queue downloaded
audit-action-case-list = Case queue viewed
audit-action-case-message = Message on an application
audit-action-case-note = Internal note added
audit-action-case-open-etd = Emergency travel document application opened
audit-action-case-priority = Priority changed
audit-action-case-provide-info = Requested information provided
audit-action-case-purge = Closed application deleted after its retention period
audit-action-case-read = Application viewed
audit-action-case-ready-for-collection = Passport ready for collection
audit-action-case-reject = Application rejected
audit-action-case-request-info = Information requested
audit-action-case-start-review = Review started
audit-action-case-submit = Application submitted
audit-action-case-withdraw = Application withdrawn
audit-action-crisis-board-export = Welfare board downloaded
audit-action-crisis-board-read = Welfare board viewed
audit-action-crisis-checkin-help = Emergency opened from a request for help
audit-action-crisis-close = Crisis closed
audit-action-crisis-declare = Crisis declared
audit-action-crisis-geojson-export = Welfare board downloaded as GeoJSON
audit-action-crisis-my-data-delete = Registration erased at the citizen's request
audit-action-crisis-my-data-export = Registration downloaded by the citizen
audit-action-crisis-pfif-export = People exported to Person Finder (PFIF)
audit-action-crisis-pfif-import = People imported from Person Finder (PFIF)
audit-action-crisis-presence = Presence form opened or closed
audit-action-crisis-webhook-create = Alert webhook added
audit-action-crisis-webhook-disable = Alert webhook disabled
audit-action-document-read = Document viewed
audit-action-document-rescan = Stored documents scanned again
audit-action-evisa-issue = E-visa issued
audit-action-evisa-read = E-visa viewed
audit-action-evisa-revoke = E-visa revoked
audit-action-evisa-key-rotate = E-visa signing key replaced
audit-action-job-read = Failed jobs viewed
audit-action-job-retry = Failed job retried
audit-action-listen-dataset-create = Listening dataset created
audit-action-listen-monitor-create = Listening monitor created
audit-action-listen-monitor-subscribe = Subscribed to a listening monitor
audit-action-mission-create = Mission created
audit-action-mission-update = Mission changed
audit-action-role-grant = Role granted
audit-action-role-revoke = Role withdrawn
audit-action-service-create = Consular service added
audit-action-service-update = Consular service changed
audit-action-token-create = API token created
audit-action-token-revoke = API token revoked
audit-action-travel-advice-publish = Travel advice published
audit-action-user-create = Account created
audit-action-user-disable = Account disabled
audit-action-user-enable = Account enabled again
audit-action-user-password-reset = Password reset
audit-action-user-profile-update = Own name or language changed
audit-action-user-read = Account viewed
audit-action-user-recovery-code-used = Signed in with a recovery code
audit-action-user-recovery-codes-replace = New recovery codes made
audit-action-user-two-factor-enable = Two-factor sign-in turned on
audit-action-user-two-factor-reset = Two-factor sign-in reset by an administrator

## Email to an account's owner when an administrator resets their two-step verification

email-two-factor-reset-by-admin-subject = Two-step verification was reset on your Safir account
email-two-factor-reset-by-admin-body =
    Hello { $name },

    An administrator of the ministry turned off two-step verification on your Safir account, and all your sessions were signed out. Your old authenticator codes and recovery codes no longer work. If your account needs two-step verification, you will set it up again the next time you sign in.

    If you did not ask for this, contact the ministry at once.
