# Consular services: appointments

appointments-missions-title = Book a consular appointment
appointments-missions-empty = No mission takes appointments online at the moment.
appointments-book-title = Book an appointment
appointments-reschedule-title = Move your appointment
appointments-times-local = Times are the mission's local time:
appointments-field-service = Service
appointments-show-slots = Show free times
appointments-field-slot = Choose a time
appointments-no-slots = There are no free times in these days. Try later dates.
appointments-not-taking = This mission is not taking appointments at the moment.
appointments-book-submit = Book this time
appointments-earlier = Earlier dates
appointments-later = Later dates
appointments-seats-left =
    { $count ->
        [0] full
        [one] 1 place left
       *[other] { $count } places left
    }

appointments-weekday-1 = Monday
appointments-weekday-2 = Tuesday
appointments-weekday-3 = Wednesday
appointments-weekday-4 = Thursday
appointments-weekday-5 = Friday
appointments-weekday-6 = Saturday
appointments-weekday-7 = Sunday

appointments-service-passport-renewal = Passport renewal
appointments-service-visa = Visa
appointments-service-emergency-travel-document = Emergency travel document
appointments-service-notarial = Notarial services
appointments-all-services = All services

appointments-mine-title = My appointments
appointments-mine-empty = You have no appointments.
appointments-book-another = Book an appointment
appointments-field-when = When
appointments-field-mission = Mission
appointments-field-status = Status
appointments-actions = Actions
appointments-reschedule = Move
appointments-cancel = Cancel
appointments-status-booked = Booked
appointments-status-past = Past
appointments-status-cancelled = Cancelled
appointments-status-rescheduled = Moved
appointments-booked = Your appointment is booked. A confirmation is on its way by email.
appointments-moved = Your appointment was moved. A new confirmation is on its way by email.
appointments-cancelled = Your appointment was cancelled.
appointments-staff-cancel-title = Cancel
appointments-staff-cancel-reason = Reason told to the applicant
appointments-cancelled-no-reason = The mission cannot receive you at that time.
appointments-started = This appointment's time has come, so it can no longer be cancelled or moved. If you cannot attend, contact the mission.
appointments-needs-confirmed-email = Confirm your email address before you book, move or cancel an appointment: each of these sends an email to it, so someone who opened an account with another person's address could otherwise fill their inbox. Use the link we sent you, or ask for a new one.
error-email-unconfirmed-title = Email address not confirmed
error-email-unconfirmed-detail = Confirm the account's email address before booking, moving or cancelling an appointment: each of these sends an email to it. The account page sends a new confirmation link.

appointments-schedule-title = Appointment schedule
appointments-schedule-saved = The schedule was saved.
appointments-rules-title = Weekly opening hours
appointments-rules-empty = No opening hours yet: the mission offers no appointments.
appointments-rule-add = Add opening hours
appointments-remove = Remove
appointments-closures-title = Closures and holidays
appointments-closures-empty = No closures ahead.
appointments-closure-add = Add a closure
appointments-field-weekday = Day of the week
appointments-field-hours = Hours
appointments-field-validity = Valid
appointments-field-start = Opens at (HH:MM)
appointments-field-end = Closes at (HH:MM)
appointments-field-slot-minutes = Slot length (minutes)
appointments-field-capacity = People per slot
appointments-field-valid-from = Valid from
appointments-field-valid-until = Valid until (optional)
appointments-field-first-day = First day
appointments-field-last-day = Last day
appointments-field-reason-ar = Reason in Arabic
appointments-field-reason-en = Reason in English

appointments-day-title = Appointments of the day
appointments-field-date = Date
appointments-show-day = Show
appointments-day-empty = No appointments on this day.
appointments-day-nav = Other days
appointments-day-previous = Previous day
appointments-day-following = Next day
appointments-day-next-booked = The next day with appointments:
appointments-field-time = Time
appointments-field-applicant = Applicant
appointments-field-case = Case

field-error-appointments-slot-required = Choose a time.
field-error-appointments-slot-unavailable = This time is not offered. Choose one of the times shown.
field-error-appointments-slot-full = This time has just been taken. Choose another time.
field-error-appointments-already-booked = You already have an appointment at this time.
field-error-appointments-too-many = You already have five appointments to come at this mission, the most one person may hold: cancel one to book another.
field-error-appointments-same-slot = This is the time you already have. Choose another time.
field-error-appointments-started = This appointment's time has come, so it can no longer be moved.
field-error-appointments-case-closed = The application this appointment is for was refused, withdrawn or closed, so the appointment can no longer be moved.
field-error-appointments-service-code-invalid = Choose a service from the list.
field-error-appointments-weekday-invalid = Choose a day of the week.
field-error-appointments-time-invalid = Enter a time as HH:MM, for example 09:30.
field-error-appointments-date-invalid = Enter a date as YYYY-MM-DD.
field-error-appointments-number-out-of-range = Enter a whole number in the allowed range (slots of 5 to 240 minutes, 1 to 100 people).
field-error-appointments-end-before-start = The closing time must be after the opening time.
field-error-appointments-slot-longer-than-hours = The slot is longer than the opening hours.
field-error-appointments-until-before-from = The end must not be before the start.
field-error-appointments-closure-too-long = A closure can last one year at most.
field-error-appointments-closure-over = This closure has already ended: its last day is before today at the mission.
field-error-appointments-mission-unknown = No mission has this code.
field-error-appointments-case-id-invalid = Enter a case reference of letters, digits, "-" and "_" (at most 64).
field-error-appointments-case-unknown = None of your applications at this mission has this id.
field-error-appointments-range-too-long = Ask for at most { $max } days at once.

email-appointment-confirmed-subject = Your appointment: { $service } on { $when }
email-appointment-confirmed-body =
    Hello { $name },

    Your appointment is booked.

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    The attached calendar file adds it to your calendar. To move or cancel it, go to "My appointments" in your account:
    { $link }

email-appointment-moved-subject = Your appointment was moved: { $service } on { $when }
email-appointment-moved-body =
    Hello { $name },

    Your appointment was moved. This is the new time:

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    The attached calendar file moves the entry in your calendar. Your appointments:
    { $link }

email-appointment-cancelled-subject = Appointment cancelled: { $service } on { $when }
email-appointment-cancelled-body =
    Hello { $name },

    Your appointment was cancelled.

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    The attached calendar file takes it out of your calendar. To book another time, go to "My appointments":
    { $link }

email-appointment-closed-subject = Appointment cancelled: the mission is closed on { $when }
email-appointment-closed-body =
    Hello { $name },

    The mission will be closed that day, so your appointment is cancelled: { $reason }

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    We are sorry for the trouble. The attached calendar file takes it out of your calendar. To book another time, go to "My appointments":
    { $link }

email-appointment-cancelled-by-mission-subject = Appointment cancelled by the mission: { $service } on { $when }
email-appointment-cancelled-by-mission-body =
    Hello { $name },

    The mission has cancelled your appointment: { $reason }

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    We are sorry for the trouble. The attached calendar file takes it out of your calendar. To book another time, go to "My appointments":
    { $link }

email-appointment-reminder-subject = Reminder: { $service } tomorrow, { $when }
email-appointment-reminder-body =
    Hello { $name },

    This is a reminder of your appointment.

    Service: { $service }
    Mission: { $mission }
    When: { $when } (local time, { $zone })

    If you cannot come, please cancel it in "My appointments" so someone else can take the time:
    { $link }
field-error-appointments-service-not-offered = This mission does not take appointments for this service. Choose one from the list.
