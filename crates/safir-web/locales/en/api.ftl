## api

# Field errors of API requests (JSON bodies and query parameters).
field-error-unknown-field = This field is not accepted here.
field-error-sent-twice = Send this field once.
field-error-invalid-type = This field has the wrong type.
field-error-expected-object = The body must be a JSON object.
field-error-malformed-json = The body is not valid JSON.
field-error-unsupported-language = Choose one of the interface languages: ar or en.
field-error-invalid-characters = This field contains characters that are not allowed.
field-error-invalid-datetime = Enter a date and time in RFC 3339 form, like 2026-01-31T09:00:00Z.
field-error-invalid-number = Enter a whole number.
field-error-too-small = Enter a number of at least { $min }.
field-error-out-of-range = Enter a number from { $min } to { $max }.
field-error-before-from = The end must not be before the start.
field-error-unknown-mission = No mission has this code.

# Consular API: field errors and the conflicts a case can answer with.
field-error-unknown-service = No enabled service has this id.
field-error-invalid-idempotency-key = Use 1 to 200 printable ASCII characters, not beginning with "etd-from:".
field-error-idempotency-key-reused = This key was used for an application to another service: send a new key.
field-error-unknown-state = Use case states such as submitted, in_review or needs_info, separated by commas.
field-error-unknown-kind = Use passport_renewal, visa, emergency or emergency_travel_document.
field-error-unknown-priority = Use critical, high, normal or low.
field-error-invalid-boolean = Use true or false.
field-error-invalid-cursor = Pass back the cursor of the previous page unchanged.
field-error-unknown-action = Use one of the case actions, such as start_review, request_info, approve or reject.
field-error-unknown-reason = This reason does not apply to this action.
field-error-not-an-officer = This person does not work consular cases at this mission.
field-error-unknown-bulk-action = Use assign_me, unassign, start_review or close.
field-error-too-many-cases = Send at most { $max } cases in one call.
field-error-consular-service-kind-fixed = A service's form cannot change: its applications depend on it. Create another service instead.
field-error-consular-fee-minor-invalid = Give the fee as a whole number of the currency's minor unit (7550 for 75.50 EUR), 0 for a free service.
field-error-consular-document-invalid = Write the document on one line, without | or control characters.
field-error-consular-visa-types-not-visa = Only a visa service offers visa types: leave this list empty.
error-case-transition-illegal-title = Not possible now
error-case-transition-illegal-detail = The case's current state does not allow this step. Reload the case to see what can be done next.
error-case-transition-forbidden-title = Not your step
error-case-transition-forbidden-detail = This step is taken by the other side of the case.
error-case-not-editable-title = The form is closed
error-case-not-editable-detail = The form can be changed only while the case is a draft or while the mission asks for more information.
error-case-messages-closed-title = Messages are closed
error-case-messages-closed-detail = Messages can be sent once the application is submitted and until the case is closed.
error-case-documents-closed-title = Documents are closed
error-case-documents-closed-detail = Documents can be filed while the application is a draft, submitted, in review or waiting for information.
error-document-filed-title = Filed with an application
error-document-filed-detail = This document is filed with one of your applications, which keeps it; it cannot be deleted.
error-case-not-draft-title = Not a draft
error-case-not-draft-detail = Only a draft that was never submitted can be discarded; withdraw a submitted application instead.
error-case-not-open-title = No longer open
error-case-not-open-detail = A case that is refused, withdrawn or closed is no longer assigned or triaged.
error-evisa-already-revoked-title = Already revoked
error-evisa-already-revoked-detail = This e-visa was revoked before; nothing was changed.
error-etd-already-opened-title = Already opened
error-etd-already-opened-detail = An emergency travel document application was already opened from this report.
error-etd-not-offered-title = No travel document for this case
error-etd-not-offered-detail = An emergency travel document application is opened only from a lost or stolen passport reported as an emergency that is still being handled.
error-case-service-disabled-title = Service no longer offered
error-case-service-disabled-detail = The mission no longer offers this service online: the draft is kept but cannot be submitted.
error-case-assignee-changed-title = Assignment changed
error-case-assignee-changed-detail = Someone changed who works this case since you read it: nothing was written. Read the case again before assigning it.
error-case-priority-changed-title = Priority changed
error-case-priority-changed-detail = Someone changed the priority of this case since you read it: nothing was written. Read the case again before changing it.
error-etd-service-missing-title = Service not offered
error-etd-service-missing-detail = This mission offers no emergency travel document service.
field-error-priority-unknown = Use critical, high, normal or low.
error-emergency-limit-hourly-title = Emergency requests limit reached
error-emergency-limit-hourly-detail = { $seconds ->
    [one] This account has sent as many emergency requests in the past hour as it may. The draft is kept: it can be sent in one second.
   *[other] This account has sent as many emergency requests in the past hour as it may. The draft is kept: it can be sent in { $seconds } seconds.
}
error-emergency-limit-open-title = Emergency requests still waiting
error-emergency-limit-open-detail = As many of this account's emergency requests as it may have are still waiting for the mission to acknowledge them. The draft is kept: it can be sent once one of them is acknowledged.
