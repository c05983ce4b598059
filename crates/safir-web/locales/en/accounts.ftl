## accounts

accounts-field-display-name = Your name
accounts-field-email = Email address
accounts-field-password = Password
accounts-field-password-confirm = Repeat the password
accounts-field-current-password = Current password
accounts-field-new-password = New password
accounts-field-lang = Preferred language
accounts-field-code = Verification code
accounts-field-token-name = Token name
accounts-field-token-expires = Expires on (optional)
accounts-password-hint = At least 10 characters. A few unrelated words make a strong password.
accounts-continue = Continue
accounts-go-to-account = Go to my account

## Sign-up

accounts-sign-up-title = Create an account
accounts-sign-up-heading = Create your account
accounts-sign-up-lead = An account lets you request consular services, register your travel and receive alerts.
accounts-sign-up-submit = Create the account
accounts-sign-up-have-account = Already have an account?
accounts-sign-up-link = Create an account

## Email verification

accounts-verify-failed-title = This link does not work
accounts-verify-failed-body = The link is invalid, has expired or was already used. Sign in and ask for a new one from your account page.
accounts-verify-failed-body-signed-in = The link is invalid, has expired or was already used. You can ask for a new one from your account page.
accounts-verify-confirm-title = Confirm your email address
accounts-verify-confirm-body = Press the button to confirm that this address is yours and belongs to the account you are signed in to.
accounts-verify-confirm-button = Confirm my address
accounts-verify-sign-in-title = Sign in to confirm your address
accounts-verify-sign-in-body = For your safety, an address is confirmed from the account it belongs to. Sign in, and this page will ask you to confirm. If you did not create an account with this address, ignore the email: nothing is confirmed.
accounts-verify-other-title = This link is for another account
accounts-verify-other-body = You are signed in to an account other than the one this link confirms. Sign out, sign in to that account, then open the link again.

## Sign-in

accounts-sign-in-title = Sign in
accounts-sign-in-heading = Sign in to Safir
accounts-sign-in-submit = Sign in
accounts-sign-in-link = Sign in
accounts-sign-in-no-account = No account yet?
accounts-forgot-link = Forgot your password?
accounts-throttled = { $seconds ->
    [one] Too many attempts from your connection. Please wait one second and try again.
   *[other] Too many attempts from your connection. Please wait { $seconds } seconds and try again.
}
accounts-locked = { $minutes ->
    [one] This account is locked after too many failed attempts. Try again in one minute (at { $time }), or reset your password.
   *[other] This account is locked after too many failed attempts. Try again in { $minutes } minutes (at { $time }), or reset your password.
}
accounts-disabled = This account has been disabled. Please contact the ministry if you think this is a mistake.
accounts-admin-password-expired = This password was set by an administrator more than seven days ago and no longer works. Ask an administrator for a new one, or use “Forgot your password?” to choose your own.

## Second factor

accounts-two-factor-title = Two-step verification
accounts-two-factor-heading = Enter your verification code
accounts-two-factor-lead = Open your authenticator app and enter the six-digit code it shows for Safir.
accounts-code-hint = The six digits from your app, or one of your recovery codes.
accounts-two-factor-submit = Verify
accounts-totp-setup-title = Set up two-step verification
accounts-totp-setup-heading = Set up two-step verification
accounts-totp-setup-lead = Two-step verification protects your account even if someone learns your password.
accounts-totp-setup-step-scan = Scan the QR code with an authenticator app, or type the key below into it.
accounts-totp-setup-step-code = Enter the six-digit code the app shows to confirm.
accounts-totp-qr-caption = QR code for your authenticator app
accounts-totp-secret-label = Key:
accounts-totp-uri-label = Show the setup address
accounts-totp-code-hint = The six digits your app shows now.
accounts-totp-setup-submit = Turn on two-step verification
accounts-recovery-codes-title = Your recovery codes
accounts-recovery-codes-heading = Save your recovery codes
accounts-recovery-codes-lead = Two-step verification is on. If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe: they are shown only now.

## Password reset

accounts-forgot-title = Forgot your password
accounts-forgot-heading = Reset your password
accounts-forgot-lead = Enter the email address of your account. We will send you a link to choose a new password.
accounts-forgot-submit = Send the link
accounts-forgot-sent-title = Check your email
accounts-forgot-sent-body = If an account exists for this address, we have sent it a link to choose a new password. The link works once, for one hour.
accounts-reset-title = Choose a new password
accounts-reset-heading = Choose a new password
accounts-reset-submit = Save the new password
accounts-reset-failed-title = This link does not work
accounts-reset-failed-body = The link is invalid, has expired or was already used. Ask for a new one.
accounts-choose-password-title = Choose your own password
accounts-choose-password-heading = Choose your own password
accounts-choose-password-lead = You signed in with a one-time password given by an administrator. Choose a password of your own to continue: only you should know it.
accounts-choose-password-submit = Save my password

## Account settings

accounts-settings-title = My account
accounts-settings-heading = My account
accounts-waiting-heading = Waiting for you
accounts-waiting-answer = The mission asks you for more information on
accounts-waiting-appointment = Your next appointment:
accounts-links-heading = My services
accounts-email-heading = Email address
accounts-email-verified = confirmed
accounts-email-unverified = not confirmed yet
accounts-email-resend = Send a new confirmation link
accounts-profile-heading = Profile
accounts-profile-submit = Save the profile
accounts-password-heading = Password
accounts-password-submit = Change the password
accounts-password-revoke-tokens = Also revoke my API tokens ({ $count } live): a token made by whoever knew the old password would keep working.
accounts-two-factor-settings-heading = Two-step verification
accounts-two-factor-on = Two-step verification is on.
accounts-two-factor-off = Two-step verification is off.
accounts-recovery-codes-left = { $count ->
    [zero] No recovery codes are left.
    [one] One recovery code is left.
   *[other] { $count } recovery codes are left.
}
accounts-two-factor-enable = Turn on two-step verification
accounts-two-factor-disable = Turn off two-step verification
accounts-recovery-codes-new-lead = Used most of your recovery codes, or lost them? Make ten new ones: the codes you have now stop working.
accounts-recovery-codes-new = Make new recovery codes
accounts-two-factor-staff-required = Staff accounts must keep two-step verification on.
accounts-sessions-heading = Where you are signed in
accounts-session-browser = Browser
accounts-session-ip = Address
accounts-session-last-seen = Last active
accounts-session-current = this browser
accounts-sign-out-everywhere = Sign out everywhere
accounts-tokens-heading = Personal access tokens
accounts-tokens-lead = Tokens let your own programs use the Safir API on your behalf.
accounts-tokens-none = You have no tokens.
accounts-token-scopes = Permissions
accounts-token-created = Created
accounts-token-expires = Expires
accounts-token-last-used = Last used
accounts-token-state = State
accounts-token-revoke = Revoke
accounts-token-inactive = Revoked or expired
accounts-token-new-heading = New token
accounts-scope-read = Read
accounts-scope-write = Write
accounts-scope-cases-read = My consular applications: read
accounts-scope-cases-write = My consular applications: apply, answer, withdraw
accounts-scope-consular-read = Consular case queues: read
accounts-scope-consular-write = Consular case queues: act on cases
accounts-token-expires-hint = Leave empty for a token that does not expire.
accounts-token-create = Create the token
accounts-token-created-title = Token created
accounts-token-created-heading = Your new token
accounts-token-created-lead = Copy it now: it will not be shown again.
accounts-token-created-again = This form was sent more than once (a double click, or the page sent again). The token the earlier sending made moments ago has been revoked: use this one.
accounts-data-heading = Your data
accounts-data-download = Download all my data (JSON)

## Notices

accounts-notice-welcome = Welcome! Your account is ready. We have sent you an email to confirm your address.
accounts-notice-profile-saved = Your profile was saved.
accounts-notice-password-changed = Your password was changed. Your other sessions were signed out.
accounts-notice-password-changed-tokens = Your password was changed. Your other sessions were signed out and your API tokens revoked.
accounts-notice-verification-sent = We have sent you a new confirmation link.
accounts-notice-already-verified = Your email address is already confirmed.
accounts-notice-verified = Thank you. Your email address is confirmed.
accounts-notice-two-factor-off = Two-step verification is off.
accounts-notice-two-factor-already-on = Two-step verification is already on. If you did not save your recovery codes, make new ones below.
accounts-notice-token-revoked = The token was revoked.
accounts-notice-password-reset = Your password was changed. Please sign in with it.
accounts-notice-signed-out-everywhere = You were signed out on every device.

## Field errors

field-error-accounts-email-too-long = This email address is too long.
field-error-accounts-email-taken = An account already uses this email address. Sign in, or reset your password.
field-error-accounts-password-too-short = Use at least 10 characters.
field-error-accounts-password-too-long = Use at most 256 characters.
field-error-accounts-password-too-simple = Use more than one repeated character.
field-error-accounts-password-mismatch = The two passwords are not the same.
field-error-accounts-password-same = Choose a password other than the one the administrator gave you.
field-error-accounts-password-wrong = This is not your current password.
field-error-accounts-password-tries = Too many wrong passwords: wait a few minutes and try again.
field-error-accounts-credentials-invalid = The email address or the password is not right.
field-error-accounts-invalid-characters = Remove the control characters.
field-error-accounts-code-invalid = This code is not right. Check the time on your phone and try the newest code.
field-error-accounts-code-used = This code was already used. Wait for the next one.
field-error-accounts-scope-required = Choose at least one permission.
field-error-accounts-scope-not-granted = Your roles do not allow one of these permissions.
field-error-accounts-date-invalid = Enter a date like 2027-01-31.
field-error-accounts-date-not-future = Choose a date after today.

## Two-step verification before the address is confirmed

accounts-totp-needs-verified-email = Confirm your email address before you turn on two-step verification: otherwise someone who opened an account with another person's address could lock it. Use the link we sent you, or ask for a new one.
