## Safety check-in (public page behind the personal link)

checkin-title = Safety check-in
checkin-heading = Are you safe?
checkin-for = Check-in for
checkin-thanks = Thank you. Your answer has been recorded; you can change it below at any time.
checkin-current = Your answer:
checkin-change = If your situation changes, answer again.
checkin-help-alerted = The mission's consular team has been alerted and will contact you.
checkin-note-label = A note (optional): where you are, who is with you, what you need
checkin-location-share = Share my location
checkin-location-shared = Your location will be sent with your answer.
checkin-location-failed = Your location could not be read; your answer can still be sent.
checkin-answer-safe = I am safe
checkin-answer-need-help = I need help
checkin-answer-not-in-area = I am not in the area
checkin-status-safe = safe
checkin-status-need-help = needs help
checkin-case-description = Safety check-in: needs help.
checkin-case-safe = Safety check-in: safe.
checkin-case-not-in-area = Safety check-in: not in the area.
checkin-case-heading = Your request for help
checkin-case-state = Where it stands:
checkin-case-answer = To answer the mission, write in the note below and choose your answer: it reaches the officer working on your request.
checkin-case-finished = This request is finished: an answer here no longer reaches it. If you need help again, choose "I need help": a new request will be opened.
checkin-case-follow = Follow it in My applications
checkin-status-not-in-area = not in the area
checkin-error-answer = Choose one of the three answers.
checkin-error-location = The location sent is not a valid position; share it again or answer without it.
checkin-error-note = The note is too long: at most 1000 characters.

## Replies to SMS keywords

checkin-sms-safe = Thank you, your answer "safe" has been recorded. Reply HELP if that changes.
checkin-sms-help = Your request for help has been recorded and the consular team has been alerted.
checkin-sms-help-reference = Its reference: { $reference }.
checkin-sms-help-details = To add details, reply HELP followed by them.
checkin-sms-note-cut = Your message was longer than { $max } characters: its first { $max } were kept with your answer.
checkin-sms-no-checkin = We have no check-in waiting for this number.
checkin-sms-stopped = You will no longer receive travel-advice SMS messages.
checkin-sms-unsubscribed = You have been unsubscribed from these travel-advice SMS messages.
checkin-sms-nothing-to-stop = This number has no travel-advice SMS subscription; nothing was changed.
checkin-sms-confirmed = Your SMS subscription is confirmed. Reply STOP to end it.
checkin-sms-nothing-to-confirm = There is no subscription waiting for confirmation for this number.
checkin-sms-keywords = Reply SAFE if you are safe, HELP if you need help, STOP to end travel-advice messages.
checkin-sms-safe-all = Thank you, the answer "safe" has been recorded for all { $count } people of this number. Reply HELP if that changes.
checkin-sms-help-references = Their references: { $references }.
checkin-sms-choose = This number is registered for { $count } people: { $people }. Nothing was recorded yet: reply SAFE with the person's number (SAFE 1 to SAFE { $count }) or SAFE ALL.
checkin-sms-help-everyone = This number is registered for { $count } people: { $people }. The request was recorded for each of them; next time you can reply HELP with the number of one (HELP 1).

## Reminders to people who have not answered

checkin-reminder-sms = { $name }, we have not heard from you. Are you safe? Answer here: { $link } or reply SAFE or HELP.
email-crisis-checkin-reminder-subject = Reminder: are you safe?
email-crisis-checkin-reminder-body =
    Hello { $name },

    We sent you a safety check-in and have not heard from you yet. Please tell us whether you are safe or need help:

    { $link }

    If you need help, choose "I need help": the consular team will contact you.

## Welfare board (staff)

board-title = Welfare board
board-heading = Welfare board:
board-tile-targeted = messages sent out
board-tile-delivered = delivered
board-tile-failed = failed
board-tile-not-sent = not sent (superseded, cancelled, expired or unsubscribed)
board-tile-safe = safe
board-tile-need-help = need help
board-tile-unacknowledged = help not yet acknowledged
board-tile-not-in-area = not in the area
board-tile-no-answer = no answer
board-by-region = By area
board-by-vulnerability = By vulnerability
board-region-unknown = (no area)
board-vulnerability-children = children
board-vulnerability-elderly = elderly
board-vulnerability-medical = medical needs
board-vulnerability-none = none of these
board-status-waiting = no answer
board-status-safe = safe
board-status-need-help = needs help
board-status-not-in-area = not in the area
board-status-superseded = superseded
board-list-heading = People concerned
board-filter-status = Answer
board-filter-region = Area
board-filter-vulnerable = Vulnerable only
board-filter-name = Name or phone
board-filter-sort = Order
board-filter-any = any
board-filter-apply = Show
board-sort-vulnerability = most vulnerable first
board-sort-name = by name
board-export-csv = Download the list (CSV)
board-export-pfif = Export for Person Finder (PFIF 1.4)
board-export-geojson = Locations (GeoJSON)
board-col-name = Name
board-col-status = Answer
board-col-answered = Answered
board-col-region = Area
board-col-vulnerability = Vulnerability
board-col-phone = Phone
board-col-email = Email
board-col-note = Note
board-col-lat = Latitude
board-col-lon = Longitude
board-col-case = Case
board-col-case-state = Case status
board-col-source = PFIF record
board-case-unacknowledged = not yet acknowledged
board-imported = (imported)
board-empty = Nobody matches these filters.
board-next-page = Next page
board-import-heading = Import from Person Finder (PFIF)
board-import-file = A PFIF 1.4 file
board-import-paste = or paste the XML
board-import-submit = Import
board-import-empty = Choose a file or paste a PFIF document.
board-import-too-large = The file is too large (at most 20 MB).
board-import-not-utf8 = The file is not UTF-8 text (it stops being so at byte { $offset }). Save it as UTF-8 and import it again.
board-import-done = Imported: { $added } new { $added ->
        [one] person
       *[other] people
    }, { $skipped } already on the board{ $updated ->
        [0] {""}
       *[other] , { $updated } of them with a newer answer
    }.
board-pfif-xml = The document is not well-formed XML (line { $line }): { $detail }
board-pfif-not-pfif = Line { $line }: the element { $element } is not PFIF 1.4.
board-pfif-missing = Line { $line }: the element { $element } is missing or empty.
board-pfif-value = Line { $line }: the element { $element } has a value that cannot be read.
