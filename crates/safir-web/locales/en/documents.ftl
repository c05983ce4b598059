# Consular services: documents (uploads, their virus check, download)
documents-title = My documents
documents-heading = My documents
documents-upload-heading = Upload a document
documents-upload-hint = JPEG, PNG or PDF. Photos: JPEG or PNG, at least 600 × 600 pixels, passport-shaped (35 × 45) or square. Photos and scans are re-saved without their hidden data (such as location).
documents-field-kind = Kind of document
documents-field-kind-choose = Choose…
documents-field-file = File
documents-upload-submit = Upload
documents-uploaded = Your document was uploaded.
documents-deleted = The document was deleted.
documents-delete = Delete
documents-col-actions = Actions
documents-list-heading = Uploaded documents
documents-none = You have not uploaded any documents.
documents-case-none = No document is filed under this application yet.
documents-col-name = File
documents-col-kind = Kind
documents-col-type = Type
documents-col-size = Size
documents-size-kb = { $size } KB
documents-size-mb = { $size } MB
documents-type-image = { $format } image
documents-type-document = { $format } document
documents-col-uploaded = Uploaded
documents-col-scan = Virus check
documents-scanner-off = Uploaded files are not checked for viruses on this server.
documents-scan-not-scanned = Not checked for viruses
documents-scan-clean = Checked: no virus found
documents-scan-infected = Infected: not opened
documents-scan-failed = The virus check failed; an officer will review the file
documents-kind-photo = Photo
documents-photo-alt = The photo filed with the application
documents-kind-passport-scan = Passport scan
documents-kind-supporting = Supporting document
documents-kind-invitation = Invitation letter
documents-kind-decision = Decision
documents-kind-other = Other
field-error-document-empty = The file is empty.
field-error-document-too-large = { $max ->
    [one] The file is larger than 1 MB.
   *[other] The file is larger than { $max } MB.
}
field-error-document-type-not-allowed = This kind of file is not accepted here. Use JPEG, PNG or PDF (photos: JPEG or PNG).
field-error-document-unreadable = The file could not be read. It may be damaged; save it again and retry.
field-error-document-image-too-large = The image is too large: at most 10,000 pixels on a side and 40 megapixels.
field-error-document-image-too-much-data = The image holds too much data to process (16-bit colour or an alpha channel at this size). Save it as an ordinary 8-bit JPEG or PNG, or make it smaller.
field-error-document-infected = The virus check found a threat in this file. It was not kept.
field-error-document-quota-documents = { $max ->
    [one] Your account already holds 1 document, the most it may hold. Delete one you no longer need from My documents, then upload this file again.
   *[other] Your account already holds { $max } documents, the most it may hold. Delete one you no longer need from My documents, then upload this file again.
}
field-error-document-quota-size = { $max ->
    [one] Your documents would take more than 1 MB in all, the most your account may hold. Delete one you no longer need from My documents, then upload this file again.
   *[other] Your documents would take more than { $max } MB in all, the most your account may hold. Delete one you no longer need from My documents, then upload this file again.
}
field-error-document-kind-unknown = Choose a kind of document from the list.
field-error-photo-too-small = The photo is too small: it must be at least 600 × 600 pixels.
field-error-photo-too-large = The photo is too large: at most 6,000 pixels on a side.
field-error-photo-aspect-invalid = The photo must be passport-shaped (35 wide by 45 high) or square.
field-error-upload-too-many-files = Too many files in one form.
