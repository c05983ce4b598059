## api

# أخطاء حقول طلبات الواجهة البرمجية (أجسام JSON ومعاملات الاستعلام).
field-error-unknown-field = هذا الحقل غير مقبول هنا.
field-error-invalid-type = نوع هذا الحقل غير صحيح.
field-error-expected-object = يجب أن يكون جسم الطلب كائن JSON.
field-error-malformed-json = جسم الطلب ليس JSON سليمًا.
field-error-unsupported-language = اختر إحدى لغتي الواجهة: ar أو en.
field-error-invalid-characters = يحتوي هذا الحقل على أحرف غير مسموح بها.
field-error-invalid-datetime = أدخل التاريخ والوقت بصيغة RFC 3339، مثل 2026-01-31T09:00:00Z.
field-error-invalid-number = أدخل عددًا صحيحًا.
field-error-too-small = أدخل عددًا لا يقل عن { $min }.
field-error-out-of-range = أدخل عددًا من { $min } إلى { $max }.
field-error-before-from = يجب ألا تسبق النهايةُ البداية.
field-error-unknown-mission = لا توجد بعثة بهذا الرمز.
