## email

email-verify-subject = Confirm your email address for Safir
email-verify-body =
    Hello { $name },

    Please confirm your email address by opening this link:

    { $link }

    The link works once, for 24 hours. If you did not create an account, ignore this message.

email-reset-subject = Reset your Safir password
email-reset-body =
    Hello { $name },

    Someone asked to reset the password of your Safir account. To choose a new password, open this link:

    { $link }

    The link works once, for one hour. If you did not ask for it, ignore this message: your password stays the same.

email-password-changed-subject = Your Safir password was changed
email-password-changed-body =
    Hello { $name },

    The password of your Safir account was just changed, and your other sessions were signed out.

    If you did not do this, reset your password at once and contact the ministry.

email-password-reset-by-admin-subject = Your Safir password was reset by an administrator
email-password-reset-by-admin-body =
    Hello { $name },

    An administrator of the ministry reset the password of your Safir account: all your sessions were signed out and your API tokens revoked. Sign in with the one-time password the administrator gives you, then choose your own.

    If you did not ask for this, contact the ministry at once.

email-two-factor-on-subject = Two-step verification is on for your Safir account
email-two-factor-on-body =
    Hello { $name },

    Two-step verification was just turned on for your Safir account. From now on you will enter a code from your authenticator app when you sign in.

    If you did not do this, reset your password at once and contact the ministry.

email-recovery-codes-new-subject = New recovery codes for your Safir account
email-recovery-codes-new-body =
    Hello { $name },

    New recovery codes were just made for your Safir account. The codes you had before no longer work.

    If you did not do this, reset your password at once and contact the ministry.

email-two-factor-off-subject = Two-step verification is off for your Safir account
email-two-factor-off-body =
    Hello { $name },

    Two-step verification was just turned off for your Safir account.

    If you did not do this, reset your password at once and turn it on again.

listen-monitor-matches = { $matches ->
    [one] 1 matching message
   *[other] { $matches } matching messages
}
listen-monitor-cooldown = { $cooldown ->
    [one] 1 minute
   *[other] { $cooldown } minutes
}
listen-monitor-alert-subject = Monitor “{ $monitor }”: { listen-monitor-matches }
listen-monitor-alert-body =
    Hello { $name },

    The monitor “{ $monitor }” on the dataset “{ $dataset }” found { listen-monitor-matches } (its threshold is { $threshold }) between { $start } and { $end } (UTC, message time).

    The newest of them:
    { $samples }

    The next alert of this monitor comes { listen-monitor-cooldown } from now at the earliest. You get this message because you subscribe to the monitor.

email-recovery-code-used-subject = A recovery code was used to sign in to your Safir account
email-recovery-code-used-body =
    Hello { $name },

    Someone just signed in to your Safir account with one of its recovery codes. Each code works once. { $count ->
        [0] No recovery codes are left: make new ones on your account page.
        [one] One recovery code is left.
       *[other] { $count } recovery codes are left.
    }

    If you did not do this, reset your password at once, make new recovery codes and contact the ministry.
