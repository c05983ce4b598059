## api

# Field errors of API requests (JSON bodies and query parameters).
field-error-unknown-field = This field is not accepted here.
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
