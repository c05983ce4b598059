# Citizens abroad: registrations, the crisis presence form, travel-advice subscriptions.

crisis-registration-list-title = My registrations abroad
crisis-registration-list-intro = Tell us where you live or travel abroad so the embassy can reach you in an emergency.
crisis-registration-new-trip-title = Register a trip
crisis-registration-new-residence-title = Register a residence abroad
crisis-registration-show-title = Registration
crisis-registration-kind-residence = Residence
crisis-registration-kind-trip = Trip
crisis-registration-kind-presence = Presence in a crisis area
crisis-registration-channel-email = Email
crisis-registration-channel-sms = SMS
crisis-registration-done-deleted = The registration was deleted.
crisis-registration-done-updated = Your registration was updated.
crisis-registration-done-erased = All your registrations and subscriptions were deleted.
crisis-registration-none = You have no registrations.
crisis-registration-field-full-name = Full name
crisis-registration-field-email = Email address
crisis-registration-field-phone = Mobile phone (international format, e.g. +971501234567)
crisis-registration-field-channels = Contact me by
crisis-registration-field-lang = Language of messages
crisis-registration-field-country = Country
crisis-registration-field-region = Region
crisis-registration-field-city = City
crisis-registration-field-lat = Latitude (optional)
crisis-registration-field-lon = Longitude (optional)
crisis-registration-field-starts-on = From
crisis-registration-field-ends-on = Until
crisis-registration-field-companion-name = Companion's name
crisis-registration-field-companion-relation = Relation
crisis-registration-field-companion-age = Age
crisis-registration-field-children = Children with you
crisis-registration-field-elderly = Elderly people with you
crisis-registration-field-medical = Medical needs
crisis-registration-field-medical-note = Medical needs: details
crisis-registration-field-emergency-name = Name
crisis-registration-field-emergency-phone = Phone
crisis-registration-field-emergency-email = Email
crisis-registration-field-consent = I agree
crisis-registration-companions = People travelling with you
crisis-registration-vulnerability = Who may need help first
crisis-registration-emergency = Emergency contact at home
crisis-registration-consent-title = How we use this information
crisis-registration-consent-text = The ministry uses these details only to contact and help you and the people with you in an emergency abroad. Trip and crisis registrations are deleted automatically some time after they end; you can download or delete everything at any time from "My registrations abroad".
crisis-registration-places = Places
crisis-registration-places-hint = Up to five places; leave the rows you do not need empty. A trip needs its dates.
crisis-registration-place = Place
crisis-registration-submit = Register
crisis-registration-privacy-title = Your data
crisis-registration-download = Download my data (JSON)
crisis-registration-erase = Delete all my registrations and subscriptions
crisis-registration-created = Registered on
crisis-registration-purge = Deleted automatically after
crisis-registration-delete = Delete this registration
crisis-registration-edit = Change this registration
crisis-registration-edit-title = Change your registration
crisis-registration-save = Save changes

crisis-presence-title = Register your presence
crisis-presence-intro = If you or your family are in the affected area, tell us where you are. No account is needed; we send you a code to confirm your contact.
crisis-presence-where = Where are you in
crisis-presence-submit = Send and get a code
crisis-presence-verify-title = Confirm your contact
crisis-presence-code-sent = We sent a six-digit code to
crisis-presence-field-code = Code
crisis-presence-verify-submit = Confirm
crisis-presence-verified = Your presence is registered.
crisis-presence-verified-next = Thank you. The embassy will contact you with instructions; keep your phone on.
crisis-presence-resend-hint = No code, or it expired?
crisis-presence-resend = Send a new code
crisis-presence-resent = A new code was sent. The earlier code no longer works.
crisis-presence-resend-too-soon = { $seconds ->
    [one] Please wait one second before asking for another code.
   *[other] Please wait { $seconds } seconds before asking for another code.
}
crisis-presence-resend-too-many = No more codes can be sent for this registration. Fill in the form again or call the embassy.
crisis-presence-closed = This crisis is over: no new code can be sent. A code you already received can still be entered.
crisis-presence-code-sms = Your code: { $code } (valid { $minutes } minutes).
crisis-presence-busy-network = { $seconds ->
    [one] Many people are registering from your network right now. Nothing you typed was lost: check it below and send the form again in one second.
   *[other] Many people are registering from your network right now. Nothing you typed was lost: check it below and send the form again in { $seconds } seconds.
}

crisis-subscribe-title = Travel advice by email or SMS
crisis-subscribe-intro = Get a message when the travel advice level for a country changes.
crisis-subscribe-field-channel = Send to
crisis-subscribe-field-address = Email address or mobile phone (+971501234567)
crisis-subscribe-consent-text = We use your address only to send travel advice for this country. Every message has a link or keyword to stop.
crisis-subscribe-submit = Subscribe
crisis-subscribe-check-email = Check your inbox: click the link we sent to confirm the subscription.
crisis-subscribe-check-sms = Reply YES to the SMS we sent to confirm the subscription.
crisis-subscribe-confirm-question = Confirm that you want travel advice for { $country }?
crisis-subscribe-confirm-submit = Confirm
crisis-subscribe-confirmed = Your subscription is confirmed.
crisis-subscribe-confirm-sms = Reply YES to receive travel advice for { $country }. Reply STOP to stop.
crisis-unsubscribe-title = Unsubscribe
crisis-unsubscribe-confirm = Stop receiving travel advice messages?
crisis-unsubscribe-submit = Unsubscribe
crisis-unsubscribe-done = You will not receive these messages any more.
crisis-advice-changed-sms = Travel advice for { $country } is now: { $level }. { $link } Reply STOP to stop.

email-crisis-presence-code-subject = Your code: { $code }
email-crisis-presence-code-body =
    Your code to confirm your presence registration is { $code }.

    It is valid for { $minutes } minutes. If you did not ask for it, ignore this message.
email-crisis-subscribe-confirm-subject = Confirm your travel advice subscription for { $country }
email-crisis-subscribe-confirm-body =
    To receive travel advice updates for { $country }, confirm your subscription:

    { $link }

    If you did not ask for this, ignore this message.
email-crisis-advice-changed-subject = Travel advice for { $country }: { $level }
email-crisis-advice-changed-body =
    The travel advice level for { $country } is now: { $level }.

    Read the advice: { $link }

    Unsubscribe: { $unsubscribe }

field-error-crisis-choice-required = Choose one of the options.
field-error-crisis-phone-e164 = Enter the number in international format, e.g. +971501234567.
field-error-crisis-country-code-format = Enter a two-letter country code, e.g. FR.
field-error-crisis-country-required = Choose a country.
field-error-crisis-contact-busy = { $minutes ->
    [one] Several codes were sent here just now. Check your messages, or send the form again in one minute.
   *[other] Several codes were sent here just now. Check your messages, or send the form again in { $minutes } minutes.
}
field-error-crisis-country-code-unknown = This country code is unknown.
field-error-crisis-coordinate-range = Latitude is between -90 and 90, longitude between -180 and 180.
field-error-crisis-coordinate-pair = Give both latitude and longitude, or neither.
field-error-crisis-number-invalid = Enter a number.
field-error-crisis-date-invalid = Enter a date as YYYY-MM-DD.
field-error-crisis-date-before-start = The end is before the start.
field-error-crisis-date-must-be-future = This date has passed.
field-error-crisis-too-many = Too many rows.
field-error-crisis-age-invalid = Enter an age in years.
field-error-crisis-count-invalid = Enter a number from 0 to 50.
field-error-crisis-consent-required = Please agree so we can keep your details.
field-error-crisis-invalid = This value is not valid.
field-error-crisis-language-unknown = Choose Arabic or English.
field-error-crisis-code-format = Enter the six digits of the code.
field-error-crisis-code-wrong =
    { $left ->
        [one] Wrong code. One more try.
       *[other] Wrong code. { $left } more tries.
    }
field-error-crisis-code-locked = Too many wrong codes. Fill in the form again to get a new code.
field-error-crisis-code-expired = This code has expired. Fill in the form again to get a new code.
crisis-registration-awaits-email = This registration does not count yet: the embassy will not send you alerts for it until you confirm your email address with the link we sent you.
crisis-registration-awaits-email-link = Send the link again from your account
crisis-registration-awaits-email-short = not counted until you confirm your email address
crisis-presence-resend-contact-busy = { $minutes ->
    [one] Several codes were sent to this contact just now. Check your messages, or ask for a new code in one minute.
   *[other] Several codes were sent to this contact just now. Check your messages, or ask for a new code in { $minutes } minutes.
}
