# Consular services: the officers' workspace (queues, case pages, SLA board, service catalogue)

## The case queue
officer-queue-title = Consular cases
officer-queue-counts = Cases by status
officer-queue-sla = Processing times
officer-queue-export = Download these cases (CSV)
officer-queue-empty = No case matches these filters.
officer-queue-pages = Pages of cases
officer-queue-first = First page
officer-queue-next = Next page
officer-filter-state = Status
officer-filter-kind = Kind
officer-filter-service = Service
officer-filter-priority = Priority
officer-filter-assignee = Assigned to
officer-filter-any = Any
officer-filter-anyone = Anyone
officer-filter-unassigned = Nobody
officer-filter-me = Me
officer-filter-breached = Past due only
officer-filter-new-message = With a new message only
officer-filter-older-than = Submitted more than this many days ago
officer-filter-search = Reference or applicant's name
officer-filter-search-hint = A reference, whole or its end (2026-000123, 123), or words of the name in any order, with or without accents. With no status chosen, a search looks through every status, closed cases included.
officer-filter-apply = Filter
officer-filter-reset = Clear the filters
officer-filter-error = Some filters could not be read. Correct them to see the cases.
officer-col-select = Select
officer-col-reference = Reference
officer-col-kind = Kind
officer-col-service = Service
officer-col-applicant = Applicant
officer-col-state = Status
officer-col-priority = Priority
officer-col-assignee = Assigned to
officer-col-age = Waiting
officer-col-due = Due
officer-col-submitted = Submitted
officer-col-overdue = Past due
officer-col-new-message-since = New message since
officer-unassigned = Unassigned
officer-overdue = Past due
officer-queue-new-message = New message
officer-yes = yes
officer-no = no
officer-export-cut = This file holds the first { $rows } cases only: narrow the filters to export the rest.
officer-age-hours = { $count ->
    [0] under an hour
    [one] 1 hour
   *[other] { $count } hours
}
officer-age-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}
field-error-consular-filter-choice = Choose a value from the list.
field-error-consular-filter-days = Enter a whole number of days between 1 and 3650.

## Bulk actions
officer-bulk-title = Action on several cases
officer-bulk-legend = With the selected cases
officer-bulk-action = Action
officer-bulk-assign-me = Assign to me
officer-bulk-unassign = Unassign
officer-bulk-start-review = Start review / acknowledge receipt
officer-bulk-close = Close
officer-bulk-apply = Apply
officer-bulk-summary = Done: { $done }. Skipped: { $skipped }.
officer-bulk-outcome = Outcome
officer-bulk-done = Done
officer-bulk-skip-not-found = Skipped: no such case at this mission.
officer-bulk-skip-not-open = Skipped: the case is no longer open.
officer-bulk-skip-already = Skipped: the case is already "{ $state }".
officer-bulk-skip-illegal = Skipped: not possible while the case is "{ $state }".
officer-bulk-skip-changed = Skipped: the case changed meanwhile.
officer-bulk-skip-held = Skipped: another officer works this case; to take it over, open it.
officer-bulk-no-action = Choose an action.
officer-bulk-no-cases = Tick at least one case.
officer-bulk-back = Back to the cases

## The case page
officer-case-title = Case { $reference }
officer-case-back = Back to the cases
officer-case-details = The case
officer-case-applicant-form = What the applicant declared
officer-case-map = Show where they are on a map (OpenStreetMap)
officer-case-empty-value = —
officer-case-decision = Reason of the decision
officer-case-evisa = Open the e-visa (print, PDF, revoke)
officer-case-evisa-revoked = Revoked
officer-case-escalated = Escalated
officer-case-escalated-level = { $level } of 3 times, unacknowledged
officer-case-actor-applicant = Applicant
officer-case-message-from-applicant = Applicant
officer-case-message-from-mission = Mission
officer-case-internal-note = Internal note, never shown to the applicant
officer-case-actions = What you can do now
officer-case-your-decision = Your decision
officer-case-decide = Send the decision
officer-case-no-actions = Nothing is left to do on this case.
officer-case-reject-reason = Reason for the refusal
officer-case-choose = Choose…
officer-case-message-optional = Message to the applicant (optional)
officer-case-request-text = What the applicant must send or explain
officer-case-assign = Assignment and priority
officer-case-assign-to = Assign to
officer-case-assign-me = Me
officer-case-assign-nobody = Nobody
officer-case-assign-submit = Assign
officer-case-priority-submit = Change the priority
officer-case-message = Write to the applicant
officer-case-message-submit = Send to the applicant
officer-case-reached = The applicant has no account: the mission's messages and each change of the case reach them through their crisis registration, at:
officer-case-reached-email = Email:
officer-case-reached-sms = Text message:
officer-case-reached-none = The applicant has no account, and their crisis registration gives no way to write to them: messages stay on the case.
officer-case-note = Internal note (officers only)
officer-case-note-submit = Save the note
officer-case-saved = Saved.
officer-case-note-added = Note added. Only the mission's staff see it.
officer-case-message-sent = Message sent. The applicant was emailed.
officer-case-message-sent-sms = Message sent. The applicant was sent it by text message.
officer-case-message-sent-both = Message sent. The applicant was emailed and sent it by text message.
officer-case-message-kept = The message is kept on the case, but nothing was sent: the applicant's crisis registration gives no way to write to them. Reach them another way.
officer-case-assign-closed = A case that is refused, withdrawn or closed is no longer assigned or triaged.
officer-case-assign-changed = Someone else changed who works this case since this page was shown. This is who works it now; assign it again if it still needs to change.
officer-case-priority-changed = Someone else changed the priority of this case since this page was shown. This is its priority now; change it again if it still needs to change.
officer-case-conflict = Someone else changed this case meanwhile. This is its current state; check it before acting again.
officer-case-kept-in-note = What you wrote is kept in the internal note box below: save it as a note, copy it, or leave it.
officer-state-ready-courier = Ready, to be sent by courier
officer-action-ready-courier = Ready: send by courier
officer-action-acknowledge = Acknowledge receipt
officer-case-conflict-own = You changed this case meanwhile, in another tab or window. This is its current state; check it before acting again.
officer-case-not-applicable = This action does not apply to the case in its current state. Choose one of the actions the page offers.
officer-case-evisa-refused = The e-visa cannot be issued from this application as it stands: { $why } Ask the applicant for information to correct it, then approve it again.
field-error-consular-reason-required = Choose the reason for the refusal.
field-error-consular-action-required = Choose your decision: ask for information, approve or refuse.
field-error-consular-assignee-unknown = Choose an officer of this mission.

## Processing times
officer-sla-title = Processing times
officer-sla-window = Period
officer-sla-window-days = { $count ->
    [one] Last day
   *[other] Last { $count } days
}
officer-sla-show = Show
officer-sla-states = Time spent in each status
officer-sla-count = Stays measured
officer-sla-median = Median
officer-sla-p90 = 90% within
officer-sla-empty = No case changed status in this period, and none is still in progress.
officer-sla-overdue = Open cases past due, per service
officer-sla-under-a-minute = under a minute
officer-sla-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
officer-sla-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
officer-sla-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
officer-sla-hours-decimal = { $count } hours
officer-sla-days-decimal = { $count } days
field-error-consular-window-invalid = Choose 30, 90 or 365 days.

## Dashboard
dashboard-panel-consular = Consular cases
dashboard-consular-overdue = Past due
dashboard-consular-new-message = With a new message
dashboard-consular-link = Open the case queue

## Emails
email-case-message-subject = { $reference }: a message from the mission
email-case-message-body =
    Hello { $name },

    The mission wrote to you about your application { $reference }:

    { $message }

    Read it and answer here:
    { $link }

sms-case-message = { $reference }, the mission writes: { $message } Read it and answer: { $link }

## Service catalogue
catalogue-title = Service catalogue
catalogue-new = Add a service
catalogue-empty = This mission offers no service yet.
catalogue-edit = Edit
catalogue-enabled = Offered online
catalogue-disabled = Not offered
catalogue-new-title = New service
catalogue-edit-title = Edit the service
catalogue-created = The service is created.
catalogue-saved = The service is saved.
catalogue-choose = Choose…
catalogue-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}
catalogue-save = Save
catalogue-field-kind = Kind of case
catalogue-field-kind-fixed = The kind cannot change once the service exists: cases use its form.
catalogue-field-code = Code
catalogue-field-code-hint = Lowercase Latin letters, digits, - and _, starting with a letter; used in addresses.
catalogue-field-name = Name
catalogue-field-name-ar = Name in Arabic
catalogue-field-name-en = Name in English
catalogue-field-instructions-ar = Instructions in Arabic
catalogue-field-instructions-en = Instructions in English
catalogue-field-documents = Documents to prepare
catalogue-field-documents-hint = One document per line, in Arabic then English separated by |, for example: صورة شخصية | Photograph
catalogue-field-fee = Fee
catalogue-field-fee-hint = 0 for a free service.
catalogue-field-currency = Currency
catalogue-field-processing-days = Processing target (days)
catalogue-field-visa-types = Visa types offered
catalogue-field-visa-types-hint = For visa services only; tick at least one.
catalogue-field-enabled = Offer this service online
field-error-consular-service-code-invalid = Use 2 to 40 lowercase Latin letters, digits, - or _, starting with a letter.
field-error-consular-service-code-taken = Another service of this mission already uses this code.
field-error-consular-service-code-in-use = The mission's opening hours or bookings name this service by its code: the code stays as it is while they do (its names can change).
field-error-consular-case-kind-unknown = Choose a kind of case from the list.
field-error-consular-currency-unknown = Choose a currency from the list.
field-error-consular-fee-required = Enter the fee (0 for a free service).
field-error-consular-fee-invalid = Enter an amount such as 75 or 75.50.
field-error-consular-fee-comma = Write the amount without a comma: a dot for decimals and no thousands separator, such as 1500 or 1500.500.
field-error-consular-fee-too-precise = { $decimals ->
        [0] { $currency } takes no decimals.
        [one] { $currency } takes at most 1 decimal.
       *[other] { $currency } takes at most { $decimals } decimals.
    }
field-error-consular-fee-too-large = This amount is too large.
field-error-consular-number-invalid = Enter a whole number.
field-error-consular-processing-days-range = Enter a number of days between 1 and 365.
field-error-consular-visa-type-unknown = Choose visa types from the list.
field-error-consular-visa-types-required = Tick at least one visa type.
field-error-consular-documents-format = Line { $line }: write the document in Arabic and in English, separated by |.
field-error-consular-documents-characters = Line { $line }: remove the invisible control characters (pasted from another program, perhaps).

officer-etd-lead = The citizen reports a lost or stolen passport. Open an emergency travel document application for them, prefilled from this report; they complete and submit it.
officer-etd-open = Open an emergency travel document application
officer-etd-opened = An emergency travel document application was opened from this report: { $reference }. The citizen completes and submits it.
officer-etd-opened-notice = The emergency travel document application is open; the citizen was sent a link to complete it.
officer-etd-already-opened = An emergency travel document application was already opened from this report; no other was opened.
email-case-etd-opened-subject = Your emergency travel document application ({ $reference })
email-case-etd-opened-body =
    Hello { $name },

    Following your report { $reference }, the mission has opened an emergency travel document application for you. Complete it and submit it here:
    { $link }
officer-case-messages-closed = This case is closed: its applicant can no longer answer, so no more messages are sent.
officer-etd-no-service = This mission offers no emergency travel document service, so none can be opened from this report. An administrator or the head of mission can add one to the mission's services.
officer-etd-not-offered = This report is not a lost passport still in hand, so no emergency travel document can be opened from it.
catalogue-changed = Someone saved this service while you were editing it. Your changes are below and not saved yet: compare them with the service as it now is (open it in another tab), then save again.
