## Site frame

site-name = Safir
site-tagline = The ministry's digital diplomacy platform
skip-to-content = Skip to main content
nav-label = Main navigation
nav-sign-in = Sign in
nav-sign-up = Create an account
nav-account = My account
nav-staff = Staff workspace
nav-admin = Administration
nav-sign-out = Sign out
nav-home = Home
language-switcher-label = Language
language-name-ar = العربية
language-name-en = English
flash-region-label = Notifications
footer-text = Safir — open-source digital diplomacy platform

## Home page

home-title = Home
home-heading = Welcome to Safir
home-lead = Consular services, travel advice and news from the ministry and its missions, in one place.
home-crises-heading = Crisis response
home-crises-intro = If you or your family are in an area affected by one of these crises, tell the embassy where you are. No account is needed.
home-services-heading = Services
home-service-consular = Consular services
home-service-consular-text = Renew a passport, apply for a visa or ask for emergency help abroad, and follow your application online.
home-service-appointments = Book an appointment
home-service-appointments-text = Choose a day and time at an embassy or consulate for your application or to collect a document.
home-service-advice = Travel advice
home-service-advice-text = Safety, entry requirements, health and local laws, country by country, with the date of each update.
home-service-register = Register your trip or stay abroad
home-service-register-text = Tell us where you travel or live, so that your embassy can reach you in a crisis.
home-service-alerts = Travel alerts by email or text message
home-service-alerts-text = Be told when the advice for a country changes. No account is needed.
home-service-verify = Check an e-visa
home-service-verify-text = Confirm that an e-visa issued by the ministry is genuine and still valid.
missions-count = { $count ->
    [zero] No missions
    [one] One mission
    [two] Two missions
    [few] { $count } missions
    [many] { $count } missions
   *[other] { $count } missions
}

## Forms

form-errors-summary = { $count ->
    [one] Please correct the field marked below.
   *[other] Please correct the { $count } fields marked below.
}
field-error-required = This field is required.
field-error-too-short = { $min ->
    [one] Enter at least one character.
   *[other] Enter at least { $min } characters.
}
field-error-too-long = { $max ->
    [one] Enter at most one character.
   *[other] Enter at most { $max } characters.
}
field-error-invalid-email = Enter a valid email address, like name@example.org.
field-error-invalid = This value is not valid.
field-error-no-letters = Write the name in letters: a name made only of tatweel (ـ), digits or punctuation cannot be used.
field-error-nul-character = “{ $field }” contains a NUL character (U+0000), which cannot be stored. Remove it and send again.

## Errors

error-back-home = Back to the home page
error-reference = Reference: { $reference }
error-bad-request-title = The request could not be understood
error-bad-request-detail = Part of what was sent is missing or malformed. Please check it and try again.
error-validation-title = Some fields need attention
error-validation-detail = Please correct the fields marked and send the form again.
error-unauthenticated-title = Please sign in
error-unauthenticated-detail = You need to sign in to see this page.
error-forbidden-title = Access denied
error-forbidden-detail = Your account does not have permission to do this.
error-not-found-title = Page not found
error-not-found-detail = The page you are looking for does not exist or has moved.
error-method-not-allowed-title = Action not allowed
error-method-not-allowed-detail = This address does not accept this kind of request.
error-conflict-title = Conflicting change
error-conflict-detail = This conflicts with the current state, for example a change made by someone else. Reload and try again.
error-rate-limited-title = Too many attempts
error-rate-limited-detail = { $seconds ->
    [one] Please wait one second before trying again.
   *[other] Please wait { $seconds } seconds before trying again.
}
error-csrf-failed-title = The form has expired
error-csrf-failed-detail = For your security this request was refused. Go back, reload the page and send the form again.
error-csrf-failed-kept = For your security this form was not sent: it was opened before your session ended, or before you signed in again. Nothing was saved. What you typed is below: copy it, open the page again (signing in if asked) and send it again.
error-csrf-failed-again = Open the page again
error-payload-too-large-title = Too much data
error-payload-too-large-detail = What you sent is larger than this address accepts.
error-unsupported-media-type-title = Unsupported format
error-unsupported-media-type-detail = The data was sent in a format this address does not accept.
error-internal-title = Something went wrong
error-internal-detail = An unexpected error occurred on our side. If you contact support, please quote the reference below.
