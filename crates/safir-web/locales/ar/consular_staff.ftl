# الخدمات القنصلية: مساحة عمل الموظفين القنصليين (قوائم الملفات، صفحة الملف، مهل المعالجة، دليل الخدمات)

## قائمة الملفات
officer-queue-title = الملفات القنصلية
officer-queue-counts = الملفات حسب الحالة
officer-queue-sla = مدد المعالجة
officer-queue-export = تنزيل هذه الملفات (CSV)
officer-queue-empty = لا يوجد ملف يطابق هذه المرشحات.
officer-queue-pages = صفحات الملفات
officer-queue-first = الصفحة الأولى
officer-queue-next = الصفحة التالية
officer-filter-state = الحالة
officer-filter-kind = النوع
officer-filter-service = الخدمة
officer-filter-priority = الأولوية
officer-filter-assignee = المكلَّف
officer-filter-any = الكل
officer-filter-anyone = أي شخص
officer-filter-unassigned = لا أحد
officer-filter-me = أنا
officer-filter-breached = المتأخرة عن موعدها فقط
officer-filter-new-message = التي فيها رسالة جديدة فقط
officer-filter-older-than = قُدِّمت قبل أكثر من هذا العدد من الأيام
officer-filter-search = المرجع أو اسم مقدّم الطلب
officer-filter-search-hint = مرجع كامل أو آخره (2026-000123 أو 123)، أو كلمات من الاسم بأي ترتيب، بالتشكيل أو بدونه. إن لم تختر حالةً، يشمل البحث كل الحالات، ومنها الطلبات المغلقة.
officer-filter-apply = تصفية
officer-filter-reset = مسح المرشحات
officer-filter-error = تعذّرت قراءة بعض المرشحات. صحّحها لعرض الملفات.
officer-col-select = تحديد
officer-col-reference = المرجع
officer-col-kind = النوع
officer-col-service = الخدمة
officer-col-applicant = مقدّم الطلب
officer-col-state = الحالة
officer-col-priority = الأولوية
officer-col-assignee = المكلَّف
officer-col-age = مدة الانتظار
officer-col-due = الموعد النهائي
officer-col-submitted = تاريخ التقديم
officer-col-overdue = متأخر
officer-col-new-message-since = رسالة جديدة منذ
officer-unassigned = غير مكلَّف
officer-overdue = متأخر عن موعده
officer-queue-new-message = رسالة جديدة
officer-yes = نعم
officer-no = لا
officer-export-cut = لا يضم هذا الملف إلا أول { $rows } حالة: ضيّق عوامل التصفية لتصدير البقية.
officer-age-hours = { PLURAL($count) ->
    [zero] أقل من ساعة
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $count } ساعات
    [many] { $count } ساعة
   *[other] { $count } ساعة
}
officer-age-days = { PLURAL($count) ->
    [zero] أقل من يوم
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}
field-error-consular-filter-choice = اختر قيمة من القائمة.
field-error-consular-filter-days = أدخل عددًا صحيحًا من الأيام بين 1 و3650.

## الإجراءات الجماعية
officer-bulk-title = إجراء على عدة ملفات
officer-bulk-legend = على الملفات المحددة
officer-bulk-action = الإجراء
officer-bulk-assign-me = تكليفي بها
officer-bulk-unassign = إلغاء التكليف
officer-bulk-start-review = بدء الدراسة / تأكيد الاستلام
officer-bulk-close = إغلاق
officer-bulk-apply = تنفيذ
officer-bulk-summary = تمّ: { $done }. تمّ تخطّي: { $skipped }.
officer-bulk-outcome = النتيجة
officer-bulk-done = تمّ
officer-bulk-skip-not-found = تمّ التخطّي: لا يوجد هذا الملف في هذه البعثة.
officer-bulk-skip-not-open = تمّ التخطّي: الملف لم يعد مفتوحًا.
officer-bulk-skip-already = تمّ التخطّي: الملف أصلًا في حالة «{ $state }».
officer-bulk-skip-illegal = تمّ التخطّي: غير ممكن والملف في حالة «{ $state }».
officer-bulk-skip-changed = تمّ التخطّي: تغيّر الملف في الأثناء.
officer-bulk-skip-held = تم التخطي: يعمل على هذا الملف موظف آخر؛ لتولّيه افتح الملف.
officer-bulk-no-action = اختر إجراءً.
officer-bulk-no-cases = حدّد ملفًا واحدًا على الأقل.
officer-bulk-back = العودة إلى الملفات

## صفحة الملف
officer-case-title = الملف { $reference }
officer-case-back = العودة إلى الملفات
officer-case-details = الملف
officer-case-applicant-form = ما صرّح به مقدّم الطلب
officer-case-map = اعرض مكانه على الخريطة (OpenStreetMap)
officer-case-empty-value = —
officer-case-decision = سبب القرار
officer-case-evisa = افتح التأشيرة الإلكترونية (طباعة، PDF، إلغاء)
officer-case-evisa-revoked = ملغاة
officer-case-escalated = صُعِّد
officer-case-escalated-level = { $level } من 3 مرات دون إقرار
officer-case-actor-applicant = مقدّم الطلب
officer-case-message-from-applicant = مقدّم الطلب
officer-case-message-from-mission = البعثة
officer-case-internal-note = ملاحظة داخلية، لا تُعرض أبدًا على مقدّم الطلب
officer-case-actions = ما يمكنك فعله الآن
officer-case-your-decision = قرارك
officer-case-decide = أرسل القرار
officer-case-no-actions = لم يبقَ شيء لفعله في هذا الملف.
officer-case-reject-reason = سبب الرفض
officer-case-choose = اختر…
officer-case-message-optional = رسالة إلى مقدّم الطلب (اختيارية)
officer-case-request-text = ما يجب على مقدّم الطلب إرساله أو توضيحه
officer-case-assign = التكليف والأولوية
officer-case-assign-to = تكليف
officer-case-assign-me = أنا
officer-case-assign-nobody = لا أحد
officer-case-assign-submit = تكليف
officer-case-priority-submit = تغيير الأولوية
officer-case-message = الكتابة إلى مقدّم الطلب
officer-case-message-submit = إرسال إلى مقدّم الطلب
officer-case-reached = ليس لمقدّم الطلب حساب: تصله رسائل البعثة وكل تغيير في الطلب عبر تسجيله في الأزمة، على:
officer-case-reached-email = البريد الإلكتروني:
officer-case-reached-sms = رسالة نصية:
officer-case-reached-none = ليس لمقدّم الطلب حساب، ولا يتيح تسجيله في الأزمة أي وسيلة للكتابة إليه: تبقى الرسائل في الطلب.
officer-case-note = ملاحظة داخلية (للموظفين فقط)
officer-case-note-submit = حفظ الملاحظة
officer-case-saved = تمّ الحفظ.
officer-case-note-added = أُضيفت الملاحظة. لا يراها إلا موظفو البعثة.
officer-case-message-sent = أُرسلت الرسالة، وأُبلغ صاحب الطلب بالبريد الإلكتروني.
officer-case-message-sent-sms = أُرسلت الرسالة، وأُبلغ صاحب الطلب برسالة نصية.
officer-case-message-sent-both = أُرسلت الرسالة، وأُبلغ صاحب الطلب بالبريد الإلكتروني وبرسالة نصية.
officer-case-message-kept = حُفظت الرسالة في الملف، لكن لم يُرسل شيء: تسجيل صاحب الطلب في الأزمة لا يذكر وسيلة للكتابة إليه. تواصل معه بطريقة أخرى.
officer-case-assign-closed = لا تُكلَّف بعد الآن حالةٌ مرفوضة أو مسحوبة أو مغلقة، ولا تُغيَّر أولويتها.
officer-case-assign-changed = غيّر شخص آخر المكلَّف بهذا الملف منذ عُرضت هذه الصفحة. هذا هو المكلَّف به الآن؛ أعد التكليف إن كان لا يزال يلزم تغييره.
officer-case-priority-changed = غيّر شخص آخر أولوية هذا الملف منذ عُرضت هذه الصفحة. هذه أولويته الآن؛ غيّرها من جديد إن كان لا يزال يلزم تغييرها.
officer-case-conflict = غيّر شخص آخر هذا الملف في الأثناء. هذه حالته الحالية؛ راجعها قبل أن تتصرف من جديد.
officer-case-kept-in-note = ما كتبته محفوظ في خانة الملاحظة الداخلية أدناه: احفظه ملاحظةً أو انسخه أو اتركه.
officer-state-ready-courier = جاهز، يُرسل مع شركة التوصيل
officer-action-ready-courier = جاهز: يُرسل مع شركة التوصيل
officer-action-acknowledge = أكّد استلام الطلب
officer-case-conflict-own = غيّرت أنت هذا الملف في الأثناء، في تبويب أو نافذة أخرى. هذه حالته الحالية؛ راجعها قبل أن تتصرف من جديد.
officer-case-not-applicable = لا ينطبق هذا الإجراء على الملف في حالته الحالية. اختر أحد الإجراءات التي تعرضها الصفحة.
officer-case-evisa-refused = لا يمكن إصدار التأشيرة الإلكترونية من هذا الطلب كما هو: { $why } اطلب من مقدم الطلب معلومات لتصحيحه، ثم وافق عليه من جديد.
field-error-consular-reason-required = اختر سبب الرفض.
field-error-consular-action-required = اختر قرارك: طلب معلومات أو الموافقة أو الرفض.
field-error-consular-assignee-unknown = اختر موظفًا من هذه البعثة.

## مدد المعالجة
officer-sla-title = مدد المعالجة
officer-sla-window = الفترة
officer-sla-window-days = { PLURAL($count) ->
    [zero] آخر { $count } يوم
    [one] آخر يوم
    [two] آخر يومين
    [few] آخر { $count } أيام
    [many] آخر { $count } يومًا
   *[other] آخر { $count } يوم
}
officer-sla-show = عرض
officer-sla-states = المدة في كل حالة
officer-sla-count = عدد الفترات المقيسة
officer-sla-median = الوسيط
officer-sla-p90 = المئين التسعون
officer-sla-empty = لم تتغير حالة أي ملف في هذه الفترة، ولا ملف قيد المعالجة الآن.
officer-sla-overdue = الملفات المفتوحة المتأخرة عن موعدها، حسب الخدمة
officer-sla-under-a-minute = أقل من دقيقة
officer-sla-minutes = { PLURAL($count) ->
    [zero] { $count } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $count } دقائق
    [many] { $count } دقيقة
   *[other] { $count } دقيقة
}
officer-sla-hours = { PLURAL($count) ->
    [zero] { $count } ساعة
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $count } ساعات
    [many] { $count } ساعة
   *[other] { $count } ساعة
}
officer-sla-days = { PLURAL($count) ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}
officer-sla-hours-decimal = { $count } ساعة
officer-sla-days-decimal = { $count } يوم
field-error-consular-window-invalid = اختر 30 أو 90 أو 365 يومًا.

## لوحة البعثة
dashboard-panel-consular = الملفات القنصلية
dashboard-consular-overdue = متأخرة عن موعدها
dashboard-consular-new-message = فيها رسالة جديدة
dashboard-consular-link = فتح قائمة الملفات

## الرسائل الإلكترونية
email-case-message-subject = { $reference }: رسالة من البعثة
email-case-message-body =
    مرحبًا { $name }،

    كتبت إليك البعثة بشأن طلبك { $reference }:

    { $message }

    اقرأها وأجب هنا:
    { $link }

sms-case-message = { $reference }، كتبت إليك البعثة: { $message } اقرأها وأجب: { $link }

## دليل الخدمات
catalogue-title = دليل الخدمات
catalogue-new = إضافة خدمة
catalogue-empty = لا تقدّم هذه البعثة أي خدمة بعد.
catalogue-edit = تعديل
catalogue-enabled = متاحة عبر الإنترنت
catalogue-disabled = غير متاحة
catalogue-new-title = خدمة جديدة
catalogue-edit-title = تعديل الخدمة
catalogue-created = أُنشئت الخدمة.
catalogue-saved = حُفظت الخدمة.
catalogue-choose = اختر…
catalogue-days = { PLURAL($count) ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}
catalogue-save = حفظ
catalogue-field-kind = نوع الملف
catalogue-field-kind-fixed = لا يتغير النوع بعد إنشاء الخدمة: فالملفات تستخدم استمارتها.
catalogue-field-code = الرمز
catalogue-field-code-hint = أحرف لاتينية صغيرة وأرقام و- و_، يبدأ بحرف؛ يُستخدم في العناوين.
catalogue-field-name = الاسم
catalogue-field-name-ar = الاسم بالعربية
catalogue-field-name-en = الاسم بالإنجليزية
catalogue-field-instructions-ar = التعليمات بالعربية
catalogue-field-instructions-en = التعليمات بالإنجليزية
catalogue-field-documents = الوثائق المطلوب تحضيرها
catalogue-field-documents-hint = وثيقة في كل سطر، بالعربية ثم بالإنجليزية يفصل بينهما |، مثلًا: صورة شخصية | Photograph
catalogue-field-fee = الرسم
catalogue-field-fee-hint = 0 لخدمة مجانية.
catalogue-field-currency = العملة
catalogue-field-processing-days = مدة المعالجة المستهدفة (بالأيام)
catalogue-field-visa-types = أنواع التأشيرات المتاحة
catalogue-field-visa-types-hint = لخدمات التأشيرات فقط؛ حدّد نوعًا واحدًا على الأقل.
catalogue-field-enabled = إتاحة هذه الخدمة عبر الإنترنت
field-error-consular-service-code-invalid = استخدم من 2 إلى 40 حرفًا لاتينيًا صغيرًا أو رقمًا أو - أو _، تبدأ بحرف.
field-error-consular-service-code-taken = خدمة أخرى في هذه البعثة تستخدم هذا الرمز.
field-error-consular-service-code-in-use = تسمّي مواعيد عمل البعثة أو حجوزاتها هذه الخدمة برمزها: يبقى الرمز كما هو ما دامت تفعل (ويمكن تغيير أسمائها).
field-error-consular-case-kind-unknown = اختر نوع الملف من القائمة.
field-error-consular-currency-unknown = اختر عملة من القائمة.
field-error-consular-fee-required = أدخل الرسم (0 لخدمة مجانية).
field-error-consular-fee-invalid = أدخل مبلغًا مثل 75 أو 75.50.
field-error-consular-fee-comma = اكتب المبلغ دون فاصلة: نقطة للكسور العشرية ودون فاصل للآلاف، مثل 1500 أو 1500.500.
field-error-consular-fee-too-precise = { PLURAL($decimals) ->
        [zero] لا تُكتب مبالغ { $currency } بخانات عشرية.
        [one] تُكتب مبالغ { $currency } بخانة عشرية واحدة على الأكثر.
        [two] تُكتب مبالغ { $currency } بخانتين عشريتين على الأكثر.
        [few] تُكتب مبالغ { $currency } بـ{ $decimals } خانات عشرية على الأكثر.
       *[other] تُكتب مبالغ { $currency } بـ{ $decimals } خانة عشرية على الأكثر.
    }
field-error-consular-fee-too-large = هذا المبلغ كبير جدًا.
field-error-consular-number-invalid = أدخل عددًا صحيحًا.
field-error-consular-processing-days-range = أدخل عددًا من الأيام بين 1 و365.
field-error-consular-visa-type-unknown = اختر أنواع التأشيرات من القائمة.
field-error-consular-visa-types-required = حدّد نوع تأشيرة واحدًا على الأقل.
field-error-consular-documents-format = السطر { $line }: اكتب الوثيقة بالعربية وبالإنجليزية يفصل بينهما |.
field-error-consular-documents-characters = السطر { $line }: احذف رموز التحكم غير المرئية (ربما لُصقت من برنامج آخر).

officer-etd-lead = يبلّغ المواطن عن فقدان جوازه أو سرقته. افتح له طلب وثيقة سفر اضطرارية معبّأً من هذا البلاغ؛ يكمله هو ويقدّمه.
officer-etd-open = افتح طلب وثيقة سفر اضطرارية
officer-etd-opened = فُتح من هذا البلاغ طلب وثيقة سفر اضطرارية: { $reference }. يكمله المواطن ويقدّمه.
officer-etd-opened-notice = فُتح طلب وثيقة السفر الاضطرارية، وأُرسل إلى المواطن رابط لإكماله.
officer-etd-already-opened = سبق أن فُتح من هذا البلاغ طلب وثيقة سفر اضطرارية؛ لم يُفتح طلب آخر.
email-case-etd-opened-subject = طلب وثيقة السفر الاضطرارية ({ $reference })
email-case-etd-opened-body =
    مرحبًا { $name }،

    بناءً على بلاغك { $reference }، فتحت البعثة لك طلب وثيقة سفر اضطرارية. أكمله وقدّمه من هنا:
    { $link }
officer-case-messages-closed = هذه القضية مغلقة: لم يعد بإمكان مقدم الطلب الرد، لذا لا تُرسل رسائل أخرى.
officer-etd-no-service = لا تقدّم هذه البعثة خدمة وثيقة السفر الاضطرارية، فلا يمكن فتح طلب لها من هذا البلاغ. يمكن للمسؤول أو لرئيس البعثة إضافتها إلى خدمات البعثة.
officer-etd-not-offered = هذا البلاغ ليس عن جواز سفر مفقود لا يزال قيد المعالجة، فلا يمكن فتح طلب وثيقة سفر اضطرارية منه.
catalogue-changed = حفظ شخص آخر هذه الخدمة أثناء تعديلك لها. تعديلاتك معروضة أدناه ولم تُحفظ بعد: قارنها بالخدمة كما هي الآن (افتحها في تبويب آخر)، ثم احفظ مجددًا.
