## api

# أخطاء حقول طلبات الواجهة البرمجية (أجسام JSON ومعاملات الاستعلام).
field-error-unknown-field = هذا الحقل غير مقبول هنا.
field-error-sent-twice = أرسل هذا الحقل مرة واحدة.
field-error-invalid-type = نوع هذا الحقل غير صحيح.
field-error-expected-object = يجب أن يكون جسم الطلب كائن JSON.
field-error-malformed-json = جسم الطلب ليس JSON سليمًا.
field-error-unsupported-language = اختر إحدى لغتي الواجهة: ar أو en.
field-error-invalid-characters = يحتوي هذا الحقل على أحرف غير مسموح بها.
field-error-invalid-datetime = أدخل التاريخ والوقت بصيغة RFC 3339، مثل ‎2026-01-31T09:00:00Z‎.
field-error-invalid-number = أدخل عددًا صحيحًا.
field-error-too-small = أدخل عددًا لا يقل عن { $min }.
field-error-out-of-range = أدخل عددًا من { $min } إلى { $max }.
field-error-before-from = يجب ألا تسبق النهايةُ البداية.
field-error-unknown-mission = لا توجد بعثة بهذا الرمز.

# الواجهة البرمجية القنصلية: أخطاء الحقول والتعارضات التي قد تُرد بها الحالة.
field-error-unknown-service = لا توجد خدمة مفعّلة بهذا المعرّف.
field-error-invalid-idempotency-key = استخدم من 1 إلى 200 حرف ASCII قابل للطباعة، لا تبدأ بـ "etd-from:".
field-error-idempotency-key-reused = استُخدم هذا المفتاح لطلب خدمة أخرى: أرسل مفتاحًا جديدًا.
field-error-unknown-state = استخدم حالات مثل submitted أو in_review أو needs_info، مفصولة بفواصل.
field-error-unknown-kind = استخدم passport_renewal أو visa أو emergency أو emergency_travel_document.
field-error-unknown-priority = استخدم critical أو high أو normal أو low.
field-error-invalid-boolean = استخدم true أو false.
field-error-invalid-cursor = أعد مؤشر الصفحة السابقة كما هو دون تغيير.
field-error-unknown-action = استخدم أحد إجراءات الحالة، مثل start_review أو request_info أو approve أو reject.
field-error-unknown-reason = هذا السبب لا ينطبق على هذا الإجراء.
field-error-not-an-officer = هذا الشخص لا يعالج الحالات القنصلية في هذه البعثة.
field-error-unknown-bulk-action = استخدم assign_me أو unassign أو start_review أو close.
field-error-too-many-cases = أرسل { $max } حالة على الأكثر في الطلب الواحد.
field-error-consular-service-kind-fixed = لا تتغير استمارة الخدمة لأن طلباتها قائمة عليها. أنشئ خدمة أخرى بدلًا من ذلك.
field-error-consular-fee-minor-invalid = اكتب الرسم عددًا صحيحًا بالوحدة الصغرى للعملة (7550 لـ 75.50 يورو)، و0 لخدمة مجانية.
field-error-consular-document-invalid = اكتب المستند في سطر واحد، بلا | وبلا محارف تحكم.
field-error-consular-visa-types-not-visa = لا تقدّم أنواعَ التأشيرات إلا خدمةُ التأشيرة: اترك هذه القائمة فارغة.
error-case-transition-illegal-title = غير ممكن الآن
error-case-transition-illegal-detail = لا تسمح الحالة الراهنة للملف بهذه الخطوة. أعد تحميل الحالة لمعرفة الخطوات الممكنة.
error-case-transition-forbidden-title = ليست خطوتك
error-case-transition-forbidden-detail = يتخذ هذه الخطوةَ الطرفُ الآخر في الحالة.
error-case-not-editable-title = الاستمارة مغلقة
error-case-not-editable-detail = لا يمكن تعديل الاستمارة إلا ما دامت الحالة مسودة أو ما دامت البعثة تطلب معلومات إضافية.
error-case-messages-closed-title = المراسلة مغلقة
error-case-messages-closed-detail = يمكن إرسال الرسائل بعد تقديم الطلب وحتى إغلاق الحالة.
error-case-documents-closed-title = المستندات مغلقة
error-case-documents-closed-detail = يمكن إيداع المستندات ما دام الطلب مسودة أو مقدَّمًا أو قيد الدراسة أو بانتظار معلومات.
error-document-filed-title = مودَع في طلب
error-document-filed-detail = هذا المستند مودَع في أحد طلباتك ويبقى معه، فلا يمكن حذفه.
error-case-not-draft-title = ليس مسودة
error-case-not-draft-detail = لا تُحذف إلا مسودة لم تُقدَّم قط؛ أما الطلب المقدَّم فيُسحب.
error-case-not-open-title = لم تعد مفتوحة
error-case-not-open-detail = لا تُكلَّف بعد الآن حالةٌ مرفوضة أو مسحوبة أو مغلقة، ولا تُغيَّر أولويتها.
error-evisa-already-revoked-title = أُلغيت من قبل
error-evisa-already-revoked-detail = أُلغيت هذه التأشيرة الإلكترونية من قبل، ولم يُغيَّر شيء.
error-etd-already-opened-title = فُتح من قبل
error-etd-already-opened-detail = فُتح من قبل طلب وثيقة سفر طارئة من هذا البلاغ.
error-etd-not-offered-title = لا وثيقة سفر لهذا الملف
error-etd-not-offered-detail = لا يُفتح طلب وثيقة سفر طارئة إلا من بلاغ طارئ عن جواز مفقود أو مسروق ما زال قيد المعالجة.
error-case-service-disabled-title = الخدمة لم تعد متاحة
error-case-service-disabled-detail = لم تعد البعثة تقدّم هذه الخدمة عبر الإنترنت: تُحفظ المسودة لكن لا يمكن تقديمها.
error-case-assignee-changed-title = تغيّر التكليف
error-case-assignee-changed-detail = غيّر شخص آخر المكلَّف بهذا الملف منذ قرأته: لم يُكتب شيء. اقرأ الملف من جديد قبل تكليفه.
error-case-priority-changed-title = تغيّرت الأولوية
error-case-priority-changed-detail = غيّر شخص آخر أولوية هذا الملف منذ قرأته: لم يُكتب شيء. اقرأ الملف من جديد قبل تغييرها.
error-etd-service-missing-title = الخدمة غير متاحة
error-etd-service-missing-detail = لا تقدّم هذه البعثة خدمة وثيقة السفر الطارئة.
field-error-priority-unknown = استخدم critical أو high أو normal أو low.
error-emergency-limit-hourly-title = بلغت حدّ طلبات المساعدة الطارئة
error-emergency-limit-hourly-detail = { PLURAL($seconds) ->
    [one] أرسل هذا الحساب في الساعة الماضية أقصى عدد مسموح به من طلبات المساعدة الطارئة. المسودة محفوظة، ويمكن إرسالها بعد ثانية واحدة.
    [two] أرسل هذا الحساب في الساعة الماضية أقصى عدد مسموح به من طلبات المساعدة الطارئة. المسودة محفوظة، ويمكن إرسالها بعد ثانيتين.
    [few] أرسل هذا الحساب في الساعة الماضية أقصى عدد مسموح به من طلبات المساعدة الطارئة. المسودة محفوظة، ويمكن إرسالها بعد { $seconds } ثوانٍ.
   *[other] أرسل هذا الحساب في الساعة الماضية أقصى عدد مسموح به من طلبات المساعدة الطارئة. المسودة محفوظة، ويمكن إرسالها بعد { $seconds } ثانية.
}
error-emergency-limit-open-title = طلبات طارئة ما زالت تنتظر
error-emergency-limit-open-detail = ما زال أقصى عدد مسموح به من طلبات المساعدة الطارئة لهذا الحساب ينتظر أن تؤكّد البعثة استلامه. المسودة محفوظة، ويمكن إرسالها متى أُكِّد استلام أحدها.
