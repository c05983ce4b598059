# Crisis alerts as delivered by email, SMS and webhook; the webhook admin page.
crisis-delivery-email-subject = Alert: { $headline }
crisis-delivery-email-body =
    { $headline }

    { $description }

    What to do: { $instruction }
crisis-delivery-email-subject-update = Update: { $headline }
crisis-delivery-email-subject-cancel = Cancelled: { $headline }
crisis-delivery-email-body-cancel =
    The alert "{ $headline }" is cancelled: what it asked no longer applies.

    { $description }

    What to do: { $instruction }
crisis-delivery-checkin =
    Please tell us whether you are safe. Open your personal link and answer: safe, need help, or not in the area.

    { $link }
crisis-delivery-unsubscribe = You receive this alert because you subscribed to travel advice for this country. To unsubscribe: { $unsubscribe }
crisis-delivery-sms = { $headline }. { $instruction }
crisis-delivery-sms-update = Update: { $headline }. { $instruction }
crisis-delivery-sms-cancel = Cancelled: { $headline }. { $instruction }
crisis-delivery-sms-checkin = Reply SAFE or HELP, or answer here: { $link }
crisis-delivery-webhooks-title = Alert webhooks
crisis-delivery-webhooks-intro = Partner systems that receive every alert as JSON, signed with HMAC-SHA256 in the Safir-Signature header.
crisis-delivery-webhooks-name = Name
crisis-delivery-webhooks-url = URL
crisis-delivery-webhooks-countries = Countries (alpha-2 codes separated by spaces; empty for all)
crisis-delivery-webhooks-add = Add webhook
crisis-delivery-webhooks-disable = Disable
crisis-delivery-webhooks-enabled = Enabled
crisis-delivery-webhooks-disabled = Disabled
crisis-delivery-webhooks-none = No webhooks yet.
crisis-delivery-webhooks-secret-once = The signing secret of { $name }, shown only this once:
crisis-delivery-webhooks-already-added = This form was already sent: the webhook { $name } was added then, and its signing secret shown once, in the answer to that sending. It is not shown again: if nobody copied it, disable the webhook and add it again.
crisis-delivery-webhooks-bad-url = The URL must start with https:// or http:// and name a valid host (and port, if any).
crisis-delivery-webhooks-private-url = This address is inside a private network (or its name leads to one): webhooks go to partners on the internet. An operator can allow private networks (webhook_private_networks).
crisis-delivery-webhooks-bad-name = Give the webhook a name (at most 100 characters).
crisis-delivery-webhooks-bad-countries = Countries must be two-letter codes separated by spaces.
admin-webhooks-title = Alert webhooks
admin-webhooks-description = The partner systems that receive every alert as signed JSON: add them, or stop sending to them.
