# المواطنون في الخارج: التسجيل، نموذج تسجيل التواجد في الأزمات، الاشتراك في نصائح السفر.

crisis-registration-list-title = تسجيلاتي في الخارج
crisis-registration-list-intro = أخبرنا أين تقيم أو تسافر في الخارج لتتمكن السفارة من الوصول إليك في حالات الطوارئ.
crisis-registration-new-trip-title = تسجيل رحلة
crisis-registration-new-residence-title = تسجيل إقامة في الخارج
crisis-registration-show-title = التسجيل
crisis-registration-kind-residence = إقامة
crisis-registration-kind-trip = رحلة
crisis-registration-kind-presence = تواجد في منطقة أزمة
crisis-registration-channel-email = البريد الإلكتروني
crisis-registration-channel-sms = رسالة نصية
crisis-registration-done-deleted = حُذف التسجيل.
crisis-registration-done-updated = حُدّث تسجيلك.
crisis-registration-done-erased = حُذفت جميع تسجيلاتك واشتراكاتك.
crisis-registration-none = ليس لديك أي تسجيل.
crisis-registration-field-full-name = الاسم الكامل
crisis-registration-field-email = البريد الإلكتروني
crisis-registration-field-phone = الهاتف المحمول (بالصيغة الدولية، مثل ‎+971501234567)
crisis-registration-field-channels = تواصلوا معي عبر
crisis-registration-field-lang = لغة الرسائل
crisis-registration-field-country = البلد
crisis-registration-field-region = المنطقة
crisis-registration-field-city = المدينة
crisis-registration-field-lat = خط العرض (اختياري)
crisis-registration-field-lon = خط الطول (اختياري)
crisis-registration-field-starts-on = من
crisis-registration-field-ends-on = إلى
crisis-registration-field-companion-name = اسم المرافق
crisis-registration-field-companion-relation = صلة القرابة
crisis-registration-field-companion-age = العمر
crisis-registration-field-children = عدد الأطفال معك
crisis-registration-field-elderly = كبار سن معك
crisis-registration-field-medical = احتياجات طبية
crisis-registration-field-medical-note = تفاصيل الاحتياجات الطبية
crisis-registration-field-emergency-name = الاسم
crisis-registration-field-emergency-phone = الهاتف
crisis-registration-field-emergency-email = البريد الإلكتروني
crisis-registration-field-consent = أوافق
crisis-registration-companions = المسافرون معك
crisis-registration-vulnerability = من قد يحتاج إلى المساعدة أولاً
crisis-registration-emergency = جهة اتصال للطوارئ في الوطن
crisis-registration-consent-title = كيف نستخدم هذه المعلومات
crisis-registration-consent-text = تستخدم الوزارة هذه البيانات فقط للتواصل معك ومع مرافقيك ومساعدتكم في حالات الطوارئ في الخارج. تُحذف تسجيلات الرحلات والأزمات تلقائياً بعد مدة من انتهائها، ويمكنك تنزيل بياناتك كلها أو حذفها في أي وقت من صفحة «تسجيلاتي في الخارج».
crisis-registration-places = الأماكن
crisis-registration-places-hint = حتى خمسة أماكن؛ اترك الصفوف التي لا تحتاجها فارغة. تحتاج الرحلة إلى تواريخها.
crisis-registration-place = المكان
crisis-registration-submit = تسجيل
crisis-registration-privacy-title = بياناتك
crisis-registration-download = تنزيل بياناتي (JSON)
crisis-registration-erase = حذف جميع تسجيلاتي واشتراكاتي
crisis-registration-created = تاريخ التسجيل
crisis-registration-purge = يُحذف تلقائياً بعد
crisis-registration-delete = حذف هذا التسجيل
crisis-registration-edit = تعديل هذا التسجيل
crisis-registration-edit-title = تعديل تسجيلك
crisis-registration-save = حفظ التغييرات

crisis-presence-title = سجّل تواجدك
crisis-presence-intro = إذا كنت أنت أو عائلتك في المنطقة المتأثرة، فأخبرنا بمكانك. لا حاجة إلى حساب؛ سنرسل إليك رمزاً لتأكيد وسيلة الاتصال.
crisis-presence-where = أين أنت في
crisis-presence-submit = أرسل واحصل على الرمز
crisis-presence-verify-title = أكّد وسيلة الاتصال
crisis-presence-code-sent = أرسلنا رمزاً من ستة أرقام إلى
crisis-presence-field-code = الرمز
crisis-presence-verify-submit = تأكيد
crisis-presence-verified = سُجّل تواجدك.
crisis-presence-verified-next = شكراً لك. ستتواصل معك السفارة بالتعليمات؛ أبقِ هاتفك مفتوحاً.
crisis-presence-resend-hint = لم يصلك الرمز أو انتهت صلاحيته؟
crisis-presence-resend = أرسل رمزًا جديدًا
crisis-presence-resent = أُرسل رمز جديد، ولم يعد الرمز السابق صالحًا.
crisis-presence-resend-too-soon = { PLURAL($seconds) ->
    [one] يرجى الانتظار ثانية واحدة قبل طلب رمز آخر.
    [two] يرجى الانتظار ثانيتين قبل طلب رمز آخر.
    [few] يرجى الانتظار { $seconds } ثوانٍ قبل طلب رمز آخر.
   *[other] يرجى الانتظار { $seconds } ثانية قبل طلب رمز آخر.
}
crisis-presence-resend-too-many = لا يمكن إرسال رموز أخرى لهذا التسجيل. املأ النموذج من جديد أو اتصل بالسفارة.
crisis-presence-closed = انتهت هذه الأزمة: لا يمكن إرسال رمز جديد. يمكنك مع ذلك إدخال رمز وصلك من قبل.
crisis-presence-code-sms = رمزك: { $code } (صالح لمدة { $minutes } دقيقة).
crisis-presence-busy-network = { PLURAL($seconds) ->
    [one] يسجّل كثيرون من شبكتك الآن. لم يضع شيء مما كتبته: راجعه أدناه وأرسل النموذج من جديد بعد ثانية واحدة.
    [two] يسجّل كثيرون من شبكتك الآن. لم يضع شيء مما كتبته: راجعه أدناه وأرسل النموذج من جديد بعد ثانيتين.
    [few] يسجّل كثيرون من شبكتك الآن. لم يضع شيء مما كتبته: راجعه أدناه وأرسل النموذج من جديد بعد { $seconds } ثوانٍ.
   *[other] يسجّل كثيرون من شبكتك الآن. لم يضع شيء مما كتبته: راجعه أدناه وأرسل النموذج من جديد بعد { $seconds } ثانية.
}

crisis-subscribe-title = نصائح السفر بالبريد الإلكتروني أو الرسائل النصية
crisis-subscribe-intro = تلقَّ رسالة عندما يتغير مستوى نصيحة السفر لبلد ما.
crisis-subscribe-field-channel = أرسل إلى
crisis-subscribe-field-address = البريد الإلكتروني أو الهاتف المحمول (‎+971501234567)
crisis-subscribe-consent-text = نستخدم عنوانك فقط لإرسال نصائح السفر لهذا البلد. في كل رسالة رابط أو كلمة لإيقافها.
crisis-subscribe-submit = اشترك
crisis-subscribe-check-email = تحقق من بريدك: اضغط على الرابط الذي أرسلناه لتأكيد الاشتراك.
crisis-subscribe-check-sms = ردّ بكلمة YES على الرسالة التي أرسلناها لتأكيد الاشتراك.
crisis-subscribe-confirm-question = هل تؤكد أنك تريد نصائح السفر الخاصة بـ { $country }؟
crisis-subscribe-confirm-submit = تأكيد
crisis-subscribe-confirmed = تم تأكيد اشتراكك.
crisis-subscribe-confirm-sms = ردّ بـ YES لتلقي نصائح السفر الخاصة بـ { $country }. ردّ بـ STOP للإيقاف.
crisis-unsubscribe-title = إلغاء الاشتراك
crisis-unsubscribe-confirm = هل تريد إيقاف رسائل نصائح السفر؟
crisis-unsubscribe-submit = إلغاء الاشتراك
crisis-unsubscribe-done = لن تصلك هذه الرسائل بعد الآن.
crisis-advice-changed-sms = نصيحة السفر لـ { $country } أصبحت: { $level }. { $link } ردّ بـ STOP للإيقاف.

email-crisis-presence-code-subject = رمزك: { $code }
email-crisis-presence-code-body =
    رمز تأكيد تسجيل تواجدك هو { $code }.

    الرمز صالح لمدة { $minutes } دقيقة. إن لم تطلبه فتجاهل هذه الرسالة.
email-crisis-subscribe-confirm-subject = أكّد اشتراكك في نصائح السفر لـ { $country }
email-crisis-subscribe-confirm-body =
    لتلقي تحديثات نصائح السفر لـ { $country }، أكّد اشتراكك:

    { $link }

    إن لم تطلب ذلك فتجاهل هذه الرسالة.
email-crisis-advice-changed-subject = نصيحة السفر لـ { $country }: { $level }
email-crisis-advice-changed-body =
    أصبح مستوى نصيحة السفر لـ { $country }: { $level }.

    اقرأ النصيحة: { $link }

    إلغاء الاشتراك: { $unsubscribe }

field-error-crisis-choice-required = اختر أحد الخيارات.
field-error-crisis-phone-e164 = أدخل الرقم بالصيغة الدولية، مثل ‎+971501234567.
field-error-crisis-country-code-format = أدخل رمز بلد من حرفين، مثل FR.
field-error-crisis-country-required = اختر بلدًا.
field-error-crisis-contact-busy = { PLURAL($minutes) ->
    [one] أُرسلت إلى هنا عدة رموز للتو. راجع رسائلك، أو أرسل النموذج من جديد بعد دقيقة واحدة.
    [two] أُرسلت إلى هنا عدة رموز للتو. راجع رسائلك، أو أرسل النموذج من جديد بعد دقيقتين.
    [few] أُرسلت إلى هنا عدة رموز للتو. راجع رسائلك، أو أرسل النموذج من جديد بعد { $minutes } دقائق.
   *[other] أُرسلت إلى هنا عدة رموز للتو. راجع رسائلك، أو أرسل النموذج من جديد بعد { $minutes } دقيقة.
}
field-error-crisis-country-code-unknown = رمز البلد هذا غير معروف.
field-error-crisis-coordinate-range = خط العرض بين ‎-90 و90، وخط الطول بين ‎-180 و180.
field-error-crisis-coordinate-pair = أدخل خط العرض وخط الطول معاً، أو اتركهما فارغين.
field-error-crisis-number-invalid = أدخل رقماً.
field-error-crisis-date-invalid = أدخل التاريخ بصيغة YYYY-MM-DD.
field-error-crisis-date-before-start = تاريخ النهاية قبل تاريخ البداية.
field-error-crisis-date-must-be-future = هذا التاريخ قد مضى.
field-error-crisis-too-many = عدد الصفوف أكثر من المسموح.
field-error-crisis-age-invalid = أدخل العمر بالسنوات.
field-error-crisis-count-invalid = أدخل رقماً من 0 إلى 50.
field-error-crisis-consent-required = يرجى الموافقة لنتمكن من حفظ بياناتك.
field-error-crisis-invalid = هذه القيمة غير صالحة.
field-error-crisis-language-unknown = اختر العربية أو الإنجليزية.
field-error-crisis-code-format = أدخل أرقام الرمز الستة.
field-error-crisis-code-wrong =
    { PLURAL($left) ->
        [zero] رمز خاطئ. لم تبقَ محاولات.
        [one] رمز خاطئ. بقيت محاولة واحدة.
        [two] رمز خاطئ. بقيت محاولتان.
        [few] رمز خاطئ. بقيت { $left } محاولات.
        [many] رمز خاطئ. بقيت { $left } محاولة.
       *[other] رمز خاطئ. بقيت { $left } محاولة.
    }
field-error-crisis-code-locked = عدد كبير من الرموز الخاطئة. املأ النموذج من جديد للحصول على رمز جديد.
field-error-crisis-code-expired = انتهت صلاحية هذا الرمز. املأ النموذج من جديد للحصول على رمز جديد.
crisis-registration-awaits-email = هذا التسجيل لا يُحتسب بعد: لن ترسل إليك السفارة تنبيهات بشأنه حتى تؤكد عنوان بريدك الإلكتروني بالرابط الذي أرسلناه إليك.
crisis-registration-awaits-email-link = أعد إرسال الرابط من حسابك
crisis-registration-awaits-email-short = لا يُحتسب حتى تؤكد عنوان بريدك الإلكتروني
crisis-presence-resend-contact-busy = { PLURAL($minutes) ->
    [one] أُرسلت إلى جهة الاتصال هذه عدة رموز للتو. راجع رسائلك، أو اطلب رمزًا جديدًا بعد دقيقة واحدة.
    [two] أُرسلت إلى جهة الاتصال هذه عدة رموز للتو. راجع رسائلك، أو اطلب رمزًا جديدًا بعد دقيقتين.
    [few] أُرسلت إلى جهة الاتصال هذه عدة رموز للتو. راجع رسائلك، أو اطلب رمزًا جديدًا بعد { $minutes } دقائق.
   *[other] أُرسلت إلى جهة الاتصال هذه عدة رموز للتو. راجع رسائلك، أو اطلب رمزًا جديدًا بعد { $minutes } دقيقة.
}
