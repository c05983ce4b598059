# الخدمات القنصلية: المواعيد

appointments-missions-title = حجز موعد قنصلي
appointments-missions-empty = لا توجد حاليًا بعثة تستقبل حجز المواعيد عبر الإنترنت.
appointments-book-title = حجز موعد
appointments-reschedule-title = تغيير موعدك
appointments-times-local = الأوقات بالتوقيت المحلي للبعثة:
appointments-field-service = الخدمة
appointments-show-slots = عرض الأوقات المتاحة
appointments-field-slot = اختر وقتًا
appointments-no-slots = لا توجد أوقات متاحة في هذه الأيام. جرّب تواريخ لاحقة.
appointments-not-taking = لا تقبل هذه البعثة حجز المواعيد في الوقت الحالي.
appointments-book-submit = احجز هذا الوقت
appointments-earlier = تواريخ سابقة
appointments-later = تواريخ لاحقة
appointments-seats-left =
    { PLURAL($count) ->
        [zero] مكتمل
        [one] بقي مكان واحد
        [two] بقي مكانان
        [few] بقيت { $count } أماكن
        [many] بقي { $count } مكانًا
       *[other] بقي { $count } مكان
    }

appointments-weekday-1 = الاثنين
appointments-weekday-2 = الثلاثاء
appointments-weekday-3 = الأربعاء
appointments-weekday-4 = الخميس
appointments-weekday-5 = الجمعة
appointments-weekday-6 = السبت
appointments-weekday-7 = الأحد

appointments-service-passport-renewal = تجديد جواز السفر
appointments-service-visa = التأشيرة
appointments-service-emergency-travel-document = وثيقة سفر طارئة
appointments-service-notarial = الخدمات التوثيقية
appointments-all-services = جميع الخدمات

appointments-mine-title = مواعيدي
appointments-mine-empty = ليس لديك أي موعد.
appointments-book-another = حجز موعد
appointments-field-when = الموعد
appointments-field-mission = البعثة
appointments-field-status = الحالة
appointments-actions = الإجراءات
appointments-reschedule = تغيير
appointments-cancel = إلغاء
appointments-status-booked = محجوز
appointments-status-past = مضى موعده
appointments-status-cancelled = ملغى
appointments-status-rescheduled = نُقل
appointments-booked = تم حجز موعدك. سيصلك تأكيد بالبريد الإلكتروني.
appointments-moved = تم تغيير موعدك. سيصلك تأكيد جديد بالبريد الإلكتروني.
appointments-cancelled = تم إلغاء موعدك.
appointments-staff-cancel-title = إلغاء
appointments-staff-cancel-reason = السبب الذي يُبلَّغ به صاحب الموعد
appointments-cancelled-no-reason = لا تستطيع البعثة استقبالك في ذلك الوقت.
appointments-started = حان وقت هذا الموعد، فلم يعد ممكنًا إلغاؤه أو تغييره. إن لم تستطع الحضور فتواصل مع البعثة.
appointments-needs-confirmed-email = أكِّد عنوان بريدك الإلكتروني قبل حجز موعد أو تغييره أو إلغائه: فكل ذلك يُرسل إليه رسالة، وإلا أمكن لمن فتح حسابًا بعنوان شخص آخر أن يملأ بريده بالرسائل. استخدم الرابط الذي أرسلناه إليك، أو اطلب رابطًا جديدًا.
error-email-unconfirmed-title = عنوان البريد الإلكتروني غير مؤكَّد
error-email-unconfirmed-detail = أكِّد عنوان البريد الإلكتروني للحساب قبل حجز موعد أو تغييره أو إلغائه: فكل ذلك يُرسل إليه رسالة. تُرسل صفحة الحساب رابط تأكيد جديدًا.

appointments-schedule-title = جدول المواعيد
appointments-schedule-saved = تم حفظ الجدول.
appointments-rules-title = ساعات العمل الأسبوعية
appointments-rules-empty = لا توجد ساعات عمل بعد: لا تقدّم البعثة مواعيد.
appointments-rule-add = إضافة ساعات عمل
appointments-remove = حذف
appointments-closures-title = الإغلاقات والعطل
appointments-closures-empty = لا توجد إغلاقات قادمة.
appointments-closure-add = إضافة إغلاق
appointments-field-weekday = يوم الأسبوع
appointments-field-hours = الساعات
appointments-field-validity = السريان
appointments-field-start = يبدأ الساعة (HH:MM)
appointments-field-end = ينتهي الساعة (HH:MM)
appointments-field-slot-minutes = مدة الموعد (بالدقائق)
appointments-field-capacity = عدد الأشخاص في كل موعد
appointments-field-valid-from = ساري من
appointments-field-valid-until = ساري حتى (اختياري)
appointments-field-first-day = اليوم الأول
appointments-field-last-day = اليوم الأخير
appointments-field-reason-ar = السبب بالعربية
appointments-field-reason-en = السبب بالإنجليزية

appointments-day-title = مواعيد اليوم
appointments-field-date = التاريخ
appointments-show-day = عرض
appointments-day-empty = لا توجد مواعيد في هذا اليوم.
appointments-day-nav = أيام أخرى
appointments-day-previous = اليوم السابق
appointments-day-following = اليوم التالي
appointments-day-next-booked = أقرب يوم فيه مواعيد:
appointments-field-time = الوقت
appointments-field-applicant = مقدّم الطلب
appointments-field-case = الملف

field-error-appointments-slot-required = اختر وقتًا.
field-error-appointments-slot-unavailable = هذا الوقت غير متاح. اختر أحد الأوقات المعروضة.
field-error-appointments-slot-full = حُجز هذا الوقت للتو. اختر وقتًا آخر.
field-error-appointments-already-booked = لديك موعد آخر في هذا الوقت.
field-error-appointments-too-many = لديك خمسة مواعيد قادمة في هذه البعثة، وهو أقصى ما يمكن لشخص واحد حجزه: ألغِ أحدها لحجز موعد آخر.
field-error-appointments-same-slot = هذا هو موعدك الحالي. اختر وقتًا آخر.
field-error-appointments-started = حان وقت هذا الموعد، فلم يعد ممكنًا تغييره.
field-error-appointments-case-closed = رُفض الطلب الذي حُجز له هذا الموعد أو سُحب أو أُغلق، فلم يعد ممكنًا تغيير الموعد.
field-error-appointments-service-code-invalid = اختر خدمة من القائمة.
field-error-appointments-weekday-invalid = اختر يومًا من أيام الأسبوع.
field-error-appointments-time-invalid = أدخل الوقت بالشكل HH:MM، مثل 09:30.
field-error-appointments-date-invalid = أدخل التاريخ بالشكل YYYY-MM-DD.
field-error-appointments-number-out-of-range = أدخل عددًا صحيحًا ضمن المسموح (مدة من 5 إلى 240 دقيقة، ومن شخص إلى 100 شخص).
field-error-appointments-end-before-start = يجب أن يكون وقت الانتهاء بعد وقت البدء.
field-error-appointments-slot-longer-than-hours = مدة الموعد أطول من ساعات العمل.
field-error-appointments-until-before-from = يجب ألا تسبق النهاية البداية.
field-error-appointments-closure-too-long = لا يتجاوز الإغلاق سنة واحدة.
field-error-appointments-closure-over = انتهى هذا الإغلاق: يومه الأخير قبل اليوم في البعثة.
field-error-appointments-mission-unknown = لا توجد بعثة بهذا الرمز.
field-error-appointments-case-id-invalid = أدخل مرجع ملف من حروف وأرقام و«-» و«_» (64 على الأكثر).
field-error-appointments-case-unknown = لا يوجد بين طلباتك لدى هذه البعثة طلب بهذا المعرّف.
field-error-appointments-range-too-long = اطلب { $max } يومًا على الأكثر في كل مرة.

email-appointment-confirmed-subject = موعدك: { $service } يوم { $when }
email-appointment-confirmed-body =
    مرحبًا { $name }،

    تم حجز موعدك.

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    يضيف ملف التقويم المرفق الموعد إلى تقويمك. لتغييره أو إلغائه، افتح «مواعيدي» في حسابك:
    { $link }

email-appointment-moved-subject = تغيّر موعدك: { $service } يوم { $when }
email-appointment-moved-body =
    مرحبًا { $name }،

    تغيّر موعدك، وهذا موعده الجديد:

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    ينقل ملف التقويم المرفق الموعد في تقويمك. مواعيدك:
    { $link }

email-appointment-cancelled-subject = أُلغي الموعد: { $service } يوم { $when }
email-appointment-cancelled-body =
    مرحبًا { $name }،

    أُلغي موعدك.

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    يزيل ملف التقويم المرفق الموعد من تقويمك. لحجز موعد آخر، افتح «مواعيدي»:
    { $link }

email-appointment-closed-subject = أُلغي موعدك: البعثة مغلقة في { $when }
email-appointment-closed-body =
    مرحبًا { $name }،

    ستُغلق البعثة في ذلك اليوم، لذا أُلغي موعدك: { $reason }

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    نعتذر عن الإزعاج. يحذف ملف التقويم المرفق الموعد من تقويمك. لحجز موعد آخر، افتح «مواعيدي»:
    { $link }

email-appointment-cancelled-by-mission-subject = ألغت البعثة موعدك: { $service } يوم { $when }
email-appointment-cancelled-by-mission-body =
    مرحبًا { $name }،

    ألغت البعثة موعدك: { $reason }

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    نعتذر عن الإزعاج. يحذف ملف التقويم المرفق الموعد من تقويمك. لحجز موعد آخر، افتح «مواعيدي»:
    { $link }

email-appointment-reminder-subject = تذكير: { $service } غدًا، { $when }
email-appointment-reminder-body =
    مرحبًا { $name }،

    هذا تذكير بموعدك.

    الخدمة: { $service }
    البعثة: { $mission }
    الموعد: { $when } (بالتوقيت المحلي، { $zone })

    إن لم تتمكن من الحضور، فيرجى إلغاؤه من «مواعيدي» ليتمكن غيرك من حجزه:
    { $link }
field-error-appointments-service-not-offered = لا تحدد هذه البعثة مواعيد لهذه الخدمة. اختر خدمة من القائمة.
