## إطار الموقع

site-name = سفير
site-tagline = منصة الوزارة للدبلوماسية الرقمية
skip-to-content = انتقل إلى المحتوى الرئيسي
nav-label = التنقل الرئيسي
nav-sign-in = تسجيل الدخول
nav-sign-up = إنشاء حساب
nav-account = حسابي
nav-staff = مساحة عمل الموظفين
nav-admin = الإدارة
nav-sign-out = تسجيل الخروج
nav-home = الرئيسية
language-switcher-label = اللغة
language-name-ar = العربية
language-name-en = English
flash-region-label = التنبيهات
footer-text = سفير — منصة مفتوحة المصدر للدبلوماسية الرقمية

## الصفحة الرئيسية

home-title = الرئيسية
home-heading = مرحبًا بكم في سفير
home-lead = الخدمات القنصلية وإرشادات السفر وأخبار الوزارة وبعثاتها، في مكان واحد.
home-crises-heading = الاستجابة للأزمات
home-crises-intro = إن كنت أنت أو أحد أفراد عائلتك في منطقة متأثرة بإحدى هذه الأزمات، فأخبر السفارة بمكانك. لا حاجة إلى حساب.
home-services-heading = الخدمات
home-service-consular = الخدمات القنصلية
home-service-consular-text = جدّد جواز سفرك أو اطلب تأشيرة أو مساعدة طارئة في الخارج، وتابع طلبك عبر الإنترنت.
home-service-appointments = احجز موعدًا
home-service-appointments-text = اختر يومًا ووقتًا في سفارة أو قنصلية لتقديم طلبك أو لاستلام وثيقة.
home-service-advice = نصائح السفر
home-service-advice-text = السلامة وشروط الدخول والصحة والقوانين المحلية، بلدًا بلدًا، مع تاريخ كل تحديث.
home-service-register = سجّل رحلتك أو إقامتك في الخارج
home-service-register-text = أخبرنا أين تسافر أو تقيم، لتتمكّن سفارتك من الوصول إليك في الأزمات.
home-service-alerts = تنبيهات السفر بالبريد الإلكتروني أو الرسائل النصية
home-service-alerts-text = اعرف متى تتغيّر نصائح السفر إلى بلد ما. لا حاجة إلى حساب.
home-service-verify = التحقق من تأشيرة إلكترونية
home-service-verify-text = تأكّد من أن تأشيرة إلكترونية صادرة عن الوزارة أصلية وما زالت سارية.
missions-count = { PLURAL($count) ->
    [zero] لا توجد بعثات
    [one] بعثة واحدة
    [two] بعثتان
    [few] { $count } بعثات
    [many] { $count } بعثة
   *[other] { $count } بعثة
}

## النماذج

form-errors-summary = { PLURAL($count) ->
    [zero] يرجى مراجعة النموذج.
    [one] يرجى تصحيح الحقل المشار إليه أدناه.
    [two] يرجى تصحيح الحقلين المشار إليهما أدناه.
    [few] يرجى تصحيح الحقول الـ{ $count } المشار إليها أدناه.
    [many] يرجى تصحيح الحقول المشار إليها أدناه، وعددها { $count } حقلًا.
   *[other] يرجى تصحيح الحقول المشار إليها أدناه، وعددها { $count } حقل.
}
field-error-required = هذا الحقل مطلوب.
field-error-too-short = { PLURAL($min) ->
    [one] أدخل حرفًا واحدًا على الأقل.
    [two] أدخل حرفين على الأقل.
    [few] أدخل { $min } أحرف على الأقل.
    [many] أدخل { $min } حرفًا على الأقل.
   *[other] أدخل { $min } حرف على الأقل.
}
field-error-too-long = { PLURAL($max) ->
    [one] أدخل حرفًا واحدًا على الأكثر.
    [two] أدخل حرفين على الأكثر.
    [few] أدخل { $max } أحرف على الأكثر.
    [many] أدخل { $max } حرفًا على الأكثر.
   *[other] أدخل { $max } حرف على الأكثر.
}
field-error-invalid-email = أدخل عنوان بريد إلكتروني صحيحًا، مثل name@example.org.
field-error-invalid = هذه القيمة غير صالحة.
field-error-no-letters = اكتب الاسم بالحروف: لا يصح اسم مكوَّن من التطويل (ـ) أو الأرقام أو علامات الترقيم وحدها.
field-error-nul-character = يحتوي «{ $field }» على المحرف NUL ‏(U+0000)، ولا يمكن حفظه. احذفه وأعد الإرسال.

## الأخطاء

error-back-home = العودة إلى الصفحة الرئيسية
error-reference = الرقم المرجعي: { $reference }
error-bad-request-title = تعذّر فهم الطلب
error-bad-request-detail = جزء مما أُرسل مفقود أو غير سليم. يرجى التحقق منه والمحاولة مرة أخرى.
error-validation-title = بعض الحقول تحتاج إلى مراجعة
error-validation-detail = يرجى تصحيح الحقول المشار إليها وإرسال النموذج مرة أخرى.
error-unauthenticated-title = يرجى تسجيل الدخول
error-unauthenticated-detail = عليك تسجيل الدخول لعرض هذه الصفحة.
error-forbidden-title = تم رفض الوصول
error-forbidden-detail = لا يملك حسابك صلاحية القيام بهذا الإجراء.
error-not-found-title = الصفحة غير موجودة
error-not-found-detail = الصفحة التي تبحث عنها غير موجودة أو نُقلت إلى مكان آخر.
error-method-not-allowed-title = إجراء غير مسموح به
error-method-not-allowed-detail = لا يقبل هذا العنوان هذا النوع من الطلبات.
error-conflict-title = تعارض في التعديل
error-conflict-detail = يتعارض هذا مع الحالة الحالية، كأن يكون شخص آخر قد أجرى تعديلًا. أعد تحميل الصفحة وحاول مرة أخرى.
error-rate-limited-title = محاولات كثيرة جدًا
error-rate-limited-detail = { PLURAL($seconds) ->
    [one] يرجى الانتظار ثانية واحدة قبل المحاولة مرة أخرى.
    [two] يرجى الانتظار ثانيتين قبل المحاولة مرة أخرى.
    [few] يرجى الانتظار { $seconds } ثوانٍ قبل المحاولة مرة أخرى.
   *[other] يرجى الانتظار { $seconds } ثانية قبل المحاولة مرة أخرى.
}
error-csrf-failed-title = انتهت صلاحية النموذج
error-csrf-failed-detail = رُفض هذا الطلب حفاظًا على أمانك. عُد إلى الصفحة السابقة وأعد تحميلها ثم أرسل النموذج مرة أخرى.
error-csrf-failed-kept = لم يُرسَل هذا النموذج حفاظًا على أمانك: فُتح قبل انتهاء جلستك أو قبل أن تسجّل الدخول من جديد. لم يُحفظ شيء. ما كتبته أدناه: انسخه، ثم افتح الصفحة من جديد (وسجّل الدخول إن طُلب منك) وأرسله مرة أخرى.
error-csrf-failed-again = افتح الصفحة من جديد
error-payload-too-large-title = حجم البيانات كبير جدًا
error-payload-too-large-detail = حجم ما أرسلته أكبر مما يقبله هذا العنوان.
error-unsupported-media-type-title = صيغة غير مدعومة
error-unsupported-media-type-detail = أُرسلت البيانات بصيغة لا يقبلها هذا العنوان.
error-internal-title = حدث خطأ ما
error-internal-detail = وقع خطأ غير متوقع من جهتنا. إذا تواصلت مع الدعم، فيرجى ذكر الرقم المرجعي أدناه.
