# الخدمات القنصلية: الدليل، الطلبات، ملفات مقدّم الطلب، الرسائل.

consular-title = الخدمات القنصلية
consular-lead = جدّد جواز سفرك أو اطلب تأشيرة أو اطلب المساعدة في الخارج، عبر الإنترنت. اختر البعثة التي تخدم مكان إقامتك أو سفرك.
consular-no-services = لا تقدّم أي بعثة خدمات إلكترونية بعد.
consular-fee = الرسوم
consular-fee-free = مجانًا
consular-processing = مدة المعالجة المستهدفة
consular-processing-days = { PLURAL($days) ->
    [zero] { $days } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
}
consular-documents = المستندات المطلوب تجهيزها
consular-apply = قدّم الطلب إلكترونيًا
consular-sign-in-to-apply = سجّل الدخول أو أنشئ حسابًا لتقديم الطلب.

case-kind-passport-renewal = تجديد جواز السفر
case-kind-visa = طلب تأشيرة
case-kind-emergency = مساعدة طارئة
case-kind-emergency-travel-document = وثيقة سفر اضطرارية

case-state-draft = مسودة
case-state-submitted = مقدَّم
case-state-in-review = قيد الدراسة
case-state-needs-info = مطلوب معلومات إضافية
case-appointment = الموعد
case-appointment-manage = تغيير أو إلغاء
case-state-approved = موافق عليه
case-state-rejected = مرفوض
case-state-withdrawn = مسحوب
case-state-ready-for-collection = جاهز للاستلام
case-state-ready-sent-by-courier = جاهز ويُرسَل إليك مع شركة التوصيل
case-state-closed = مغلق

case-action-submit = قدّم الطلب
case-action-start-review = ابدأ الدراسة
case-action-request-info = اطلب معلومات
case-action-provide-info = أرسل ردّي
case-action-approve = وافق
case-action-reject = ارفض
case-action-withdraw = اسحب طلبي
case-action-mark-ready-for-collection = جاهز للاستلام
case-action-close = أغلق الملف

case-priority-critical = حرجة
case-priority-high = عالية
case-priority-normal = عادية
case-priority-low = منخفضة

case-reason-approved = تمت الموافقة على طلبك.
case-reason-documents-incomplete = لم تُقدَّم المستندات المطلوبة أو أنها ناقصة.
case-reason-identity-not-established = تعذّر التحقق من هويتك من المستندات المقدَّمة.
case-reason-purpose-not-justified = لم يُبرَّر الغرض من الإقامة المزمعة وشروطها.
case-reason-insufficient-means = لم تُثبَت وسائل العيش الكافية.
case-reason-previous-overstay = تجاوزت إقامة سابقة المدة المسموح بها.
case-reason-security-grounds = رُفض الطلب لأسباب تتعلق بالنظام العام أو الأمن.
case-reason-not-eligible = لا تستوفي شروط هذه الخدمة.
case-reason-other = يرجى قراءة رسالة البعثة.

# استمارة الطلب
apply-title = تقديم طلب: { $service }
apply-mission = البعثة
apply-save = احفظ وأكمل لاحقًا
apply-saved = حُفظت مسودتك. يمكنك العودة إليها من «طلباتي» حتى { $date }.
apply-saved-answer = حُفظت تعديلاتك. اضغط «أرسل ردّي» حين تكتمل، فتُبلَّغ البعثة حينها.
apply-not-saved-copied = أُرسل هذا الطلب من قبل، فلم يعد تعديله ممكنًا ولم تُحفظ تعديلاتك. نُسخت في الرسالة أدناه: أرسلها إن كان على البعثة أن تعلم بها.
apply-not-saved = هذا الطلب مغلق، فلم يعد تعديله ممكنًا ولم تُحفظ تعديلاتك.
apply-draft-lost = لم تعد المسودة التي كنت تملؤها موجودة (انتهت صلاحيتها، أو حُذفت من نافذة أخرى). ما كتبته موجود في هذه المسودة الجديدة: راجعه ثم أرسله.
apply-service-disabled = لم تعد البعثة تقدّم هذه الخدمة عبر الإنترنت، لذا لا يمكن إرسال هذا الطلب. تُحفظ مسودتك حتى انتهاء صلاحيتها؛ تواصل مع البعثة لتقديم الطلب بطريقة أخرى.
apply-discard = احذف هذه المسودة
apply-draft-expires = تُحفظ هذه المسودة حتى { $date }.
apply-section-identity = مقدّم الطلب
apply-section-passport = جواز السفر
apply-section-travel = السفر
apply-section-collection = الاستلام
apply-section-emergency = ماذا حدث
apply-mrz-hint = اختياري: انسخ السطرين أو الأسطر الثلاثة أسفل صفحة الصورة في جوازك كما هي مطبوعة، مع علامات ‎<‎.

field-surname = اسم العائلة (كما في الجواز)
field-given-names = الاسم الأول والأوسط
field-birth-date = تاريخ الميلاد
field-birth-place = مكان الميلاد
field-passport-number = رقم جواز السفر
field-passport-expiry = تاريخ انتهاء الجواز
field-mrz = المنطقة المقروءة آليًا
field-phone = رقم الهاتف
field-collection = كيف تريد استلام الجواز؟
field-collection-mission = سأستلمه من البعثة
field-collection-courier = أرسلوه بالبريد السريع
field-courier-address = عنوان التسليم
field-nationality = الجنسية
field-visa-type = نوع التأشيرة
field-arrival-date = تاريخ الوصول
field-departure-date = تاريخ المغادرة
field-itinerary = خط السير (المدن والتواريخ)
field-host-name = المضيف أو الجهة الداعية
field-host-address = عنوان المضيف
field-fee-reference = مرجع دفع الرسوم
field-police-report = رقم محضر الشرطة
field-travel-date = تاريخ السفر المقرر
field-destination = الوجهة
field-category = ما نوع المساعدة التي تحتاجها؟
field-description = صف الوضع
field-location = أين أنت الآن؟
field-latitude = خط العرض
field-longitude = خط الطول
field-message = الرسالة

visa-type-tourist = سياحة
visa-type-business = أعمال
visa-type-study = دراسة
visa-type-transit = عبور
visa-type-work = عمل
visa-type-family-visit = زيارة عائلية
visa-type-medical = علاج طبي

emergency-category-arrest = توقيف أو احتجاز
emergency-category-medical = حالة طبية طارئة
emergency-category-missing-person = شخص مفقود
emergency-category-crime = ضحية جريمة
emergency-category-lost-passport = فقدان الجواز أو سرقته
emergency-category-other = أخرى

field-error-consular-date-invalid = أدخل تاريخًا مثل ‎2027-01-31‎.
field-error-consular-birth-date-too-early = لا يمكن أن يكون تاريخ الميلاد قبل ‎{ $earliest }‎: تحقّق من السنة.
field-error-consular-birth-date-not-past = يجب أن يكون تاريخ الميلاد قبل اليوم.
field-error-consular-date-must-be-future = يجب أن يكون هذا التاريخ اليوم أو بعده.
field-error-consular-expiry-before-birth = يجب أن يكون تاريخ الانتهاء بعد تاريخ الميلاد.
field-error-consular-choice-required = اختر أحد الخيارات.
field-error-consular-phone-invalid = أدخل رقم هاتف من 6 إلى 17 رقمًا، مثل ‎+33 1 23 45 67 89‎.
field-error-consular-coordinate-invalid = أدخل عددًا عشريًا، مثل 48.8566.
field-error-consular-coordinate-out-of-range = خط العرض بين ‎-90‎ و90، وخط الطول بين ‎-180‎ و180.
field-error-consular-coordinate-pair = أدخل خط العرض وخط الطول معًا، أو اتركهما فارغين.
field-error-consular-departure-before-arrival = يجب أن يكون تاريخ المغادرة في يوم الوصول أو بعده.
field-error-consular-stay-too-long = لا تتجاوز الإقامة 180 يومًا.
field-error-consular-reason-needs-message = اشرح سبب الرفض في رسالة إلى مقدّم الطلب: هذا السبب لا يطلب منه إلا قراءتها.
field-error-consular-evisa-validity-order = ستنتهي التأشيرة الإلكترونية قبل أن تبدأ: يجب أن يأتي تاريخ المغادرة بعد تاريخ الوصول.
field-error-consular-evisa-max-stay-invalid = تغطي التأشيرة الإلكترونية إقامة من يوم واحد إلى 3650 يومًا: تحقّق من تاريخَي الوصول والمغادرة.
field-error-consular-visa-type-invalid = لا يمكن إصدار تأشيرة إلكترونية بنوع التأشيرة هذا: اختر أحد أنواع التأشيرات التي تقدّمها البعثة.
field-error-consular-form-fails-checks = لم يعد طلبك يستوفي شروطه بعد تعديله. صحّحه من «أكمل الطلب» حيث يُذكر كل حقل، ثم أرسل ردّك.
field-error-consular-passport-expires-before-departure = ينتهي جوازك قبل نهاية إقامتك.
field-error-consular-country-code-format = اختر دولة من القائمة.
field-error-consular-country-code-unknown = اختر دولة من القائمة.
field-error-consular-passport-number-empty = أدخل رقم جواز سفرك.
field-error-consular-passport-number-too-long = لا يتجاوز رقم الجواز 9 خانات.
field-error-consular-passport-number-invalid-character = استخدم الحروف اللاتينية والأرقام فقط، كما هي مطبوعة في الجواز.
field-error-consular-mrz-line-count = عدد أسطر المنطقة المقروءة آليًا { $found }، وهي سطران في جواز السفر وثلاثة أسطر في بطاقة الهوية.
field-error-consular-mrz-line-length = عدد خانات السطر { $line } من المنطقة المقروءة آليًا { $found }، والمطلوب { $expected } (سطر الجواز 44 خانة، وسطر بطاقة الهوية 30).
field-error-consular-mrz-invalid-character = لا تحتوي المنطقة المقروءة آليًا إلا على حروف لاتينية كبيرة وأرقام وعلامة ‎<‎: الحرف { $column } من السطر { $line } ليس منها.
field-error-consular-mrz-document-code = هذه المنطقة ليست من جواز سفر أو بطاقة هوية.
field-error-consular-mrz-document-number-missing = رقم الوثيقة غير موجود في المنطقة المقروءة آليًا.
field-error-consular-mrz-invalid-name = الاسم في المنطقة المقروءة آليًا غير صالح.
field-error-consular-mrz-check-digit-document-number = رقم التحقق الخاص برقم الوثيقة غير مطابق: راجع رقم الجواز في المنطقة.
field-error-consular-mrz-check-digit-birth-date = رقم التحقق الخاص بتاريخ الميلاد غير مطابق: راجع تاريخ الميلاد في المنطقة.
field-error-consular-mrz-check-digit-expiry-date = رقم التحقق الخاص بتاريخ الانتهاء غير مطابق: راجع تاريخ الانتهاء في المنطقة.
field-error-consular-mrz-check-digit-personal-number = رقم التحقق الخاص بالرقم الشخصي غير مطابق.
field-error-consular-mrz-check-digit-composite = رقم التحقق النهائي غير مطابق: إحدى خانات السطر الثاني مكتوبة خطأ.
field-error-consular-mrz-invalid-date-birth = تاريخ الميلاد في المنطقة المقروءة آليًا ليس تاريخًا صحيحًا.
field-error-consular-mrz-invalid-date-expiry = تاريخ الانتهاء في المنطقة المقروءة آليًا ليس تاريخًا صحيحًا.
field-error-consular-mrz-expiry-out-of-range = تاريخ الانتهاء في المنطقة المقروءة آليًا بعيد جدًا في الماضي أو المستقبل.
field-error-consular-mrz-unknown-issuing-state = دولة الإصدار في المنطقة المقروءة آليًا ليست رمز دولة معروفًا.
field-error-consular-mrz-unknown-nationality = الجنسية في المنطقة المقروءة آليًا ليست رمز دولة معروفًا.
field-error-consular-mrz-unknown-sex = الجنس في المنطقة المقروءة آليًا يجب أن يكون F أو M أو ‎<‎.
field-error-consular-mrz-document-number-too-long = رقم الوثيقة في هذه المنطقة المقروءة آليًا أطول من رقم الجواز (9 خانات): الصق المنطقة المقروءة آليًا من الجواز الذي تسافر به.
field-error-consular-mrz-mismatch-passport-number = رقم الجواز هذا لا يطابق الرقم في المنطقة المقروءة آليًا.
field-error-consular-mrz-mismatch-expiry-date = تاريخ الانتهاء هذا لا يطابق التاريخ في المنطقة المقروءة آليًا.
field-error-consular-mrz-mismatch-birth-date = تاريخ الميلاد هذا لا يطابق التاريخ في المنطقة المقروءة آليًا.
field-error-consular-mrz-mismatch-surname = اسم العائلة هذا لا يطابق الاسم في المنطقة المقروءة آليًا: اكتبه كما يطبعه جوازك.
field-error-consular-mrz-mismatch-given-names = الأسماء الأولى هذه لا تطابق الأسماء في المنطقة المقروءة آليًا: اكتبها كما يطبعها جوازك.
field-error-consular-mrz-mismatch-nationality = هذه الجنسية لا تطابق الجنسية في المنطقة المقروءة آليًا.
field-error-consular-message-required = اكتب رسالة.

# ملفات مقدّم الطلب
my-cases-title = طلباتي
my-cases-empty = ليست لديك طلبات بعد.
my-cases-new = ابدأ طلبًا
case-reference = المرجع
case-service = الخدمة
case-state = الحالة
case-updated = آخر تغيير
case-submitted-at = تاريخ التقديم
case-timeline = السجل
case-messages = الرسائل
case-no-messages = لا توجد رسائل بعد.
case-message-from-mission = البعثة
case-message-from-you = أنت
case-send-message = أرسل
case-needs-info-lead = تحتاج البعثة إلى معلومات إضافية. أجب أدناه وارفع أي مستند مطلوب.
case-emergency-received = وصل طلبك إلى موظفي المناوبة القنصلية في البعثة. سنخبرك هنا وبالبريد الإلكتروني حين يتولاه أحدهم.
case-emergency-ack-by = يُؤكَّد استلامه في موعد أقصاه:
case-emergency-escalated = لم يُؤكَّد استلامه في الوقت المحدد، فأُحيل إلى مزيد من موظفي البعثة وإلى رئيس البعثة.
case-emergency-danger = إن كانت حياة أحد في خطر، فاتصل بخدمات الطوارئ المحلية أولًا.
case-emergency-phone = هاتف البعثة:
my-cases-clock = يُؤرَّخ كل تغيير بتوقيت البعثة التي لديها الطلب.
my-cases-evisas = تأشيراتي الإلكترونية
my-cases-evisa-validity = مدة الصلاحية
case-times-zone = الأوقات في هذه الصفحة بتوقيت البعثة:
case-needs-info-asked = تطلب البعثة:
case-continue-draft = أكمل الطلب
case-decision = القرار
case-withdraw-confirm = هل تريد سحب هذا الطلب؟ ستتوقف البعثة عن العمل عليه.
case-conflict = تغيّر هذا الطلب في الأثناء. هذه حالته الحالية.
case-data-export = نزّل كل بياناتي (JSON)

# الرسائل
email-case-update-subject = { $reference }: { $state }
email-case-update-body =
    مرحبًا { $name }،

    أصبحت حالة طلبك { $reference }: { $state }.

    { $note }

    تابعه وأجب البعثة من هنا:
    { $link }

sms-case-update = { $reference }: { $state }. { $note } تابعه وأجب البعثة: { $link }

case-notice-submitted = قُدِّم طلبك. أرسلنا إليك رسالة بالبريد الإلكتروني تتضمن مرجعه.
case-notice-answered = أُرسل ردّك: تعيد البعثة دراسة طلبك.
case-notice-discarded = حُذفت المسودة.
case-notice-withdrawn = سُحب طلبك.
case-notice-decided-first = بتّت البعثة في هذا الطلب قبل وصول سحبك له، فلم يُسحب: قرارها أدناه.
case-notice-sent = أُرسلت رسالتك إلى البعثة.
nav-consular = الخدمات القنصلية
nav-cases = طلباتي

email-case-escalated-subject = طلب طارئ لم يُرَدّ عليه { $reference } (التصعيد { $level })
email-case-escalated-body =
    { $told ->
        [holder] لم يُستلَم طلب مساعدة طارئة في الوقت المحدد، وأصبح الآن من مسؤوليتك.
        [kept] لم يُؤكَّد في الوقت المحدد استلامُ طلب مساعدة طارئة مُسنَد إليك. يبقى من مسؤوليتك: لا يوجد موظف آخر يُحال إليه.
        [moved] لم يُؤكَّد في الوقت المحدد استلامُ طلب مساعدة طارئة كان مُسنَدًا إليك، فأُحيل إلى { $officer } ولم يعد من مسؤوليتك. إن كنت تتابعه، فأسنده إلى نفسك من جديد وأكّد استلامه الآن.
       *[informed] { $held ->
            [yes] لم يُؤكَّد في الوقت المحدد استلامُ طلب مساعدة طارئة، وهو الآن بيد { $officer }. نُعلمك بذلك لتتابعه.
           *[no] لم يُؤكَّد في الوقت المحدد استلامُ طلب مساعدة طارئة، ولا يتولاه أي موظف. نُعلمك بذلك لتتابعه.
        }
    }

    المرجع: { $reference }
    الوضع: { $category }
    المكان: { $location }
    الهاتف: { $phone }

    افتحه وأكّد استلامه:
    { $link }

email-case-applicant-wrote-subject = { $reference }: كتب مقدّم الطلب
email-case-applicant-wrote-body =
    كتب مقدّم الطلب { $reference }، وهو طلب مُسنَد إليك، إلى البعثة.

    اقرأ الرسالة وأجب عنها في صفحة الطلب:
    { $link }

    لن تُرسَل إليك الرسائل التالية بالبريد ما لم تُجب البعثة.

# إلى موظف أسند إليه زميل طلبًا للتو.
email-case-assigned-subject = { $reference }: أُسنِد إليك
email-case-assigned-body =
    أسند { $by } إليك الطلب { $reference }.
    { $waiting ->
        [yes] كتب مقدّم الطلب إلى البعثة وينتظر ردًّا.
       *[no] لا رسالة من مقدّم الطلب تنتظر ردًّا.
    }

    افتح صفحة الطلب:
    { $link }

field-error-consular-name-latin = اكتب الاسم بحروف لاتينية دون علامات، كما في المنطقة المقروءة آليًا في جوازك.
field-error-consular-name-too-long-for-evisa = لا يتجاوز اللقب والأسماء الأولى معًا 64 حرفًا، كما تُطبع في التأشيرة الإلكترونية. اكتبها كما تطبعها المنطقة المقروءة آليًا في جوازك.
field-error-consular-departure-passed = تاريخ المغادرة قد مضى: التأشيرة الإلكترونية الصادرة الآن تكون منتهية من يومها. اطلب من مقدم الطلب تواريخ سفر جديدة.
case-evisa-ready = تأشيرتك الإلكترونية جاهزة: افتحها أو اطبعها أو احفظها بصيغة PDF من هنا.
case-evisa-open = افتح تأشيرتي الإلكترونية
case-evisa-revoked = ألغت البعثة تأشيرتك الإلكترونية، فلم تعد صالحة للسفر.
case-evisa-open-revoked = عرض التأشيرة الملغاة
apply-documents-hint = احفظ الاستمارة قبل إضافة المستندات: رفع ملف يعيد تحميل هذه الصفحة.
decision-title = القرار بشأن طلبك
decision-page = { $reference } · الصفحة { $page } من { $pages }
decision-download = نزّل القرار (PDF)
decision-applicant = مقدّم الطلب
decision-reason = الأسباب
decision-message = رسالة البعثة
decision-date = تاريخ القرار
apply-autosaved = حُفظ تلقائيًا الساعة { $time }.
apply-autosave-elsewhere = لم يُحفظ: غُيّر هذا الطلب في علامة تبويب أو نافذة أخرى. أعد تحميل الصفحة لترى ذلك، أو اضغط «احفظ وأكمل لاحقًا» لترى ما في هذه الصفحة، ثم اضغطه مرة أخرى هناك لتحتفظ بقيم هذه الصفحة بدلاً منه.
apply-saved-elsewhere = غُيّر هذا الطلب في علامة تبويب أو نافذة أخرى بعد فتح هذه الصفحة، فلم يُحفظ ما تراه هنا فوقه. راجعه: الضغط على «احفظ وأكمل لاحقًا» أو الإرسال من هذه الصفحة الآن يحتفظ بما فيها مكان التغييرات الأخرى.
apply-autosave-failed = لم يُحفظ تلقائيًا (ربما انقطع الاتصال أو انتهت الجلسة). ما كتبته ما زال هنا: احفظه بالزر أدناه.
apply-location-use = استخدم موقعي الحالي
apply-location-filled = مُلئ خط العرض وخط الطول من جهازك: تحقّق منهما قبل الإرسال.
apply-location-failed = تعذّرت قراءة موقعك. يمكنك كتابة الإحداثيات، أو تركها فارغة ووصف المكان.

# طلب طارئ رفضته حدود الحساب؛ تبقى المسودة بما كُتب فيها.
apply-emergency-limit-hourly = { PLURAL($minutes) ->
    [one] لم يُرسَل: أرسلتَ في الساعة الماضية أقصى عدد من طلبات المساعدة الطارئة يُسمح به لحساب واحد (الحد: { $count }). طلبك محفوظ هنا مسودةً، ويمكنك إرساله بعد دقيقة واحدة. إن كانت حياة أحد في خطر فاتصل بخدمات الطوارئ المحلية الآن، وللوصول إلى البعثة أسرع اتصل بها هاتفيًا.
    [two] لم يُرسَل: أرسلتَ في الساعة الماضية أقصى عدد من طلبات المساعدة الطارئة يُسمح به لحساب واحد (الحد: { $count }). طلبك محفوظ هنا مسودةً، ويمكنك إرساله بعد دقيقتين. إن كانت حياة أحد في خطر فاتصل بخدمات الطوارئ المحلية الآن، وللوصول إلى البعثة أسرع اتصل بها هاتفيًا.
    [few] لم يُرسَل: أرسلتَ في الساعة الماضية أقصى عدد من طلبات المساعدة الطارئة يُسمح به لحساب واحد (الحد: { $count }). طلبك محفوظ هنا مسودةً، ويمكنك إرساله بعد { $minutes } دقائق. إن كانت حياة أحد في خطر فاتصل بخدمات الطوارئ المحلية الآن، وللوصول إلى البعثة أسرع اتصل بها هاتفيًا.
   *[other] لم يُرسَل: أرسلتَ في الساعة الماضية أقصى عدد من طلبات المساعدة الطارئة يُسمح به لحساب واحد (الحد: { $count }). طلبك محفوظ هنا مسودةً، ويمكنك إرساله بعد { $minutes } دقيقة. إن كانت حياة أحد في خطر فاتصل بخدمات الطوارئ المحلية الآن، وللوصول إلى البعثة أسرع اتصل بها هاتفيًا.
}
apply-emergency-limit-open = لم يُرسَل: ما زال أقصى عدد من طلبات المساعدة الطارئة يُسمح به لحساب واحد (الحد: { $count }) ينتظر أن تؤكّد البعثة استلامه. طلبك محفوظ هنا مسودةً، ويمكنك إرساله متى أُكِّد استلام أحدها، أو إضافة الجديد إلى أحدها بالكتابة في صفحته في «طلباتي». إن كانت حياة أحد في خطر فاتصل بخدمات الطوارئ المحلية الآن.
