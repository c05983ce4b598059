## E-visas: the document, its revocation, and the public check

evisa-title = E-visa
evisa-doc-title = Electronic visa
evisa-doc-issuer = Ministry of Foreign Affairs
evisa-field-number = Visa number
evisa-field-holder = Name as in passport
evisa-field-passport = Passport number
evisa-field-nationality = Nationality
evisa-field-birth-date = Date of birth
evisa-field-type = Visa type
evisa-field-entries = Entries
evisa-field-valid-from = Valid from
evisa-field-valid-until = Valid until
evisa-field-max-stay = Maximum stay
evisa-field-mission = Issued by
evisa-field-issued-at = Issued on
evisa-entries-single = Single entry
evisa-entries-double = Two entries
evisa-entries-multiple = Multiple entries
evisa-max-stay-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
evisa-qr-caption = Scan the code, or open the address below, to check this visa.
evisa-download-pdf = Download the PDF
evisa-revoked-banner = This visa has been revoked and is no longer valid.
evisa-revoke-heading = Revoke this visa
evisa-revoke-reason = Reason
evisa-revoke-reason-hint = Kept in the register and the audit trail; the holder does not see it.
evisa-revoke-submit = Revoke the visa
evisa-revoked-done = The visa was revoked. Checks of its code now say so.
evisa-already-revoked = This visa was already revoked.

# Email to the holder when an officer revokes the e-visa (the reason stays internal).
email-evisa-revoked-subject = Your e-visa { $visa } is revoked
email-evisa-revoked-body =
    Hello { $name },

    The mission has revoked your e-visa { $visa }. It is no longer valid for travel, and anyone who checks its code is told that it is revoked.

    The visa's page, which says so:
    { $link }

    If you have questions, write to the mission from your application, under My applications.

## The public check

verify-title = Check an e-visa
verify-lead = Scan the QR code on the visa, or paste its code or address here. The check covers the ministry's signature, the validity dates and revocation.
verify-code-label = Visa code or address
verify-code-hint = The address starts with …/verify?v= ; the code is the part after v=.
verify-submit = Check
verify-offline = You can also check a visa without this site, with the ministry's public key:
verify-valid-title = Valid visa
verify-valid-detail = The ministry issued this visa and it is valid today. Check that the name and passport number match the passport presented.
verify-expired-title = Expired visa
verify-expired-detail = The ministry issued this visa, but its validity has ended. It no longer allows entry.
verify-not-yet-valid-title = Visa not yet valid
verify-not-yet-valid-detail = The ministry issued this visa, but its validity has not begun. It allows entry from the first day shown.
verify-revoked-title = Revoked visa
verify-revoked-detail = The ministry issued this visa and has since revoked it. It does not allow entry.
verify-invalid-title = Not a valid visa
verify-invalid-detail = This code was not issued by the ministry, or it was altered or copied incompletely. Do not accept it; scan the QR code again or check the code letter by letter.
