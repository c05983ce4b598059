## accounts

accounts-field-display-name = الاسم
accounts-field-email = البريد الإلكتروني
accounts-field-password = كلمة المرور
accounts-field-password-confirm = أعد كتابة كلمة المرور
accounts-field-current-password = كلمة المرور الحالية
accounts-field-new-password = كلمة المرور الجديدة
accounts-field-lang = اللغة المفضلة
accounts-field-code = رمز التحقق
accounts-field-token-name = اسم الرمز
accounts-field-token-expires = تاريخ الانتهاء (اختياري)
accounts-password-hint = عشرة أحرف على الأقل. بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.
accounts-continue = متابعة
accounts-go-to-account = الانتقال إلى حسابي

## Sign-up

accounts-sign-up-title = إنشاء حساب
accounts-sign-up-heading = أنشئ حسابك
accounts-sign-up-lead = يتيح لك الحساب طلب الخدمات القنصلية وتسجيل سفرك وتلقي التنبيهات.
accounts-sign-up-submit = إنشاء الحساب
accounts-sign-up-have-account = لديك حساب بالفعل؟
accounts-sign-up-link = إنشاء حساب

## Email verification

accounts-verify-failed-title = هذا الرابط لا يعمل
accounts-verify-failed-body = الرابط غير صالح أو انتهت صلاحيته أو سبق استخدامه. سجّل الدخول واطلب رابطًا جديدًا من صفحة حسابك.
accounts-verify-failed-body-signed-in = الرابط غير صالح أو انتهت صلاحيته أو سبق استخدامه. يمكنك طلب رابط جديد من صفحة حسابك.
accounts-verify-confirm-title = أكّد عنوان بريدك الإلكتروني
accounts-verify-confirm-body = اضغط الزر لتأكيد أن هذا العنوان لك وأنه للحساب الذي سجّلت الدخول إليه.
accounts-verify-confirm-button = تأكيد عنواني
accounts-verify-sign-in-title = سجّل الدخول لتأكيد عنوانك
accounts-verify-sign-in-body = حفاظًا على أمنك، يُؤكَّد العنوان من الحساب الذي يخصه. سجّل الدخول وستطلب منك هذه الصفحة التأكيد. إن لم تنشئ حسابًا بهذا العنوان فتجاهل الرسالة: لن يُؤكَّد شيء.
accounts-verify-other-title = هذا الرابط لحساب آخر
accounts-verify-other-body = أنت مسجّل الدخول إلى حساب غير الذي يؤكّده هذا الرابط. سجّل الخروج، ثم ادخل إلى ذلك الحساب وافتح الرابط مرة أخرى.

## Sign-in

accounts-sign-in-title = تسجيل الدخول
accounts-sign-in-heading = تسجيل الدخول إلى سفير
accounts-sign-in-submit = دخول
accounts-sign-in-link = تسجيل الدخول
accounts-sign-in-no-account = ليس لديك حساب بعد؟
accounts-forgot-link = نسيت كلمة المرور؟
accounts-throttled = { PLURAL($seconds) ->
    [zero] محاولات كثيرة جدًا من اتصالك. يرجى المحاولة مرة أخرى بعد لحظة.
    [one] محاولات كثيرة جدًا من اتصالك. يرجى الانتظار ثانية واحدة ثم المحاولة مرة أخرى.
    [two] محاولات كثيرة جدًا من اتصالك. يرجى الانتظار ثانيتين ثم المحاولة مرة أخرى.
    [few] محاولات كثيرة جدًا من اتصالك. يرجى الانتظار { $seconds } ثوانٍ ثم المحاولة مرة أخرى.
    [many] محاولات كثيرة جدًا من اتصالك. يرجى الانتظار { $seconds } ثانية ثم المحاولة مرة أخرى.
   *[other] محاولات كثيرة جدًا من اتصالك. يرجى الانتظار { $seconds } ثانية ثم المحاولة مرة أخرى.
}
accounts-locked = { PLURAL($minutes) ->
    [zero] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى الساعة { $time }، أو أعد تعيين كلمة المرور.
    [one] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد دقيقة واحدة (الساعة { $time })، أو أعد تعيين كلمة المرور.
    [two] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد دقيقتين (الساعة { $time })، أو أعد تعيين كلمة المرور.
    [few] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $minutes } دقائق (الساعة { $time })، أو أعد تعيين كلمة المرور.
    [many] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $minutes } دقيقة (الساعة { $time })، أو أعد تعيين كلمة المرور.
   *[other] هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $minutes } دقيقة (الساعة { $time })، أو أعد تعيين كلمة المرور.
}
accounts-disabled = تم تعطيل هذا الحساب. يرجى التواصل مع الوزارة إن كنت ترى أن ذلك خطأ.
accounts-admin-password-expired = عيّن مسؤولٌ كلمة المرور هذه قبل أكثر من سبعة أيام، ولم تعد صالحة. اطلب من المسؤول كلمة مرور جديدة، أو استخدم «نسيت كلمة المرور؟» لتختار كلمتك بنفسك.

## Second factor

accounts-two-factor-title = التحقق بخطوتين
accounts-two-factor-heading = أدخل رمز التحقق
accounts-two-factor-lead = افتح تطبيق المصادقة وأدخل الرمز المكوّن من ستة أرقام الذي يعرضه لسفير.
accounts-code-hint = الأرقام الستة من تطبيقك، أو أحد رموز الاسترداد.
accounts-two-factor-submit = تحقق
accounts-totp-setup-title = إعداد التحقق بخطوتين
accounts-totp-setup-heading = إعداد التحقق بخطوتين
accounts-totp-setup-lead = يحمي التحقق بخطوتين حسابك حتى لو عرف أحد كلمة مرورك.
accounts-totp-setup-step-scan = امسح رمز QR بتطبيق المصادقة، أو اكتب فيه المفتاح أدناه.
accounts-totp-setup-step-code = أدخل الرمز المكوّن من ستة أرقام الذي يعرضه التطبيق للتأكيد.
accounts-totp-qr-caption = رمز QR لتطبيق المصادقة
accounts-totp-secret-label = المفتاح:
accounts-totp-uri-label = عرض عنوان الإعداد
accounts-totp-code-hint = الأرقام الستة التي يعرضها تطبيقك الآن.
accounts-totp-setup-submit = تفعيل التحقق بخطوتين
accounts-recovery-codes-title = رموز الاسترداد
accounts-recovery-codes-heading = احفظ رموز الاسترداد
accounts-recovery-codes-lead = تم تفعيل التحقق بخطوتين. إذا فقدت هاتفك، يتيح لك كل رمز من هذه الرموز تسجيل الدخول مرة واحدة. احفظها في مكان آمن: لن تُعرض إلا الآن.

## Password reset

accounts-forgot-title = نسيت كلمة المرور
accounts-forgot-heading = إعادة تعيين كلمة المرور
accounts-forgot-lead = أدخل البريد الإلكتروني لحسابك، وسنرسل إليك رابطًا لاختيار كلمة مرور جديدة.
accounts-forgot-submit = إرسال الرابط
accounts-forgot-sent-title = تفقّد بريدك الإلكتروني
accounts-forgot-sent-body = إذا كان هناك حساب بهذا العنوان، فقد أرسلنا إليه رابطًا لاختيار كلمة مرور جديدة. يعمل الرابط مرة واحدة خلال ساعة.
accounts-reset-title = اختر كلمة مرور جديدة
accounts-reset-heading = اختر كلمة مرور جديدة
accounts-reset-submit = حفظ كلمة المرور الجديدة
accounts-reset-failed-title = هذا الرابط لا يعمل
accounts-reset-failed-body = الرابط غير صالح أو انتهت صلاحيته أو سبق استخدامه. اطلب رابطًا جديدًا.
accounts-choose-password-title = اختر كلمة مرورك
accounts-choose-password-heading = اختر كلمة مرورك
accounts-choose-password-lead = سجّلت الدخول بكلمة مرور مؤقتة أعطاك إياها أحد المسؤولين. اختر كلمة مرور خاصة بك للمتابعة، لا يعرفها أحد سواك.
accounts-choose-password-submit = حفظ كلمة مروري

## Account settings

accounts-settings-title = حسابي
accounts-settings-heading = حسابي
accounts-waiting-heading = بانتظارك
accounts-waiting-answer = تطلب منك البعثة معلومات إضافية عن الطلب
accounts-waiting-appointment = موعدك القادم:
accounts-links-heading = خدماتي
accounts-email-heading = البريد الإلكتروني
accounts-email-verified = مؤكَّد
accounts-email-unverified = لم يُؤكَّد بعد
accounts-email-resend = إرسال رابط تأكيد جديد
accounts-profile-heading = الملف الشخصي
accounts-profile-submit = حفظ الملف الشخصي
accounts-password-heading = كلمة المرور
accounts-password-submit = تغيير كلمة المرور
accounts-password-revoke-tokens = إلغاء رموز الواجهة البرمجية الخاصة بي أيضًا (النشطة: { $count }): فالرمز الذي أنشأه من عرف كلمة المرور القديمة يظل صالحًا.
accounts-two-factor-settings-heading = التحقق بخطوتين
accounts-two-factor-on = التحقق بخطوتين مفعّل.
accounts-two-factor-off = التحقق بخطوتين غير مفعّل.
accounts-recovery-codes-left = { PLURAL($count) ->
    [zero] لم يبقَ أي رمز استرداد.
    [one] بقي رمز استرداد واحد.
    [two] بقي رمزا استرداد.
    [few] بقيت { $count } رموز استرداد.
    [many] بقي { $count } رمزًا للاسترداد.
   *[other] بقي { $count } رمز استرداد.
}
accounts-two-factor-enable = تفعيل التحقق بخطوتين
accounts-two-factor-disable = إيقاف التحقق بخطوتين
accounts-recovery-codes-new-lead = هل استخدمت معظم رموز الاسترداد أو فقدتها؟ أنشئ عشرة رموز جديدة: تتوقف الرموز التي لديك الآن عن العمل.
accounts-recovery-codes-new = أنشئ رموز استرداد جديدة
accounts-two-factor-staff-required = يجب أن يبقى التحقق بخطوتين مفعّلًا في حسابات الموظفين.
accounts-sessions-heading = الأجهزة التي سجّلت الدخول منها
accounts-session-browser = المتصفح
accounts-session-ip = العنوان
accounts-session-last-seen = آخر نشاط
accounts-session-current = هذا المتصفح
accounts-sign-out-everywhere = تسجيل الخروج من كل الأجهزة
accounts-tokens-heading = رموز الوصول الشخصية
accounts-tokens-lead = تتيح الرموز لبرامجك الخاصة استخدام واجهة سفير البرمجية نيابةً عنك.
accounts-tokens-none = ليس لديك أي رمز.
accounts-token-scopes = الصلاحيات
accounts-token-created = تاريخ الإنشاء
accounts-token-expires = تاريخ الانتهاء
accounts-token-last-used = آخر استخدام
accounts-token-state = الحالة
accounts-token-revoke = إلغاء
accounts-token-inactive = ملغى أو منتهي الصلاحية
accounts-token-new-heading = رمز جديد
accounts-scope-read = القراءة
accounts-scope-write = الكتابة
accounts-scope-cases-read = طلباتي القنصلية: القراءة
accounts-scope-cases-write = طلباتي القنصلية: التقديم والرد والسحب
accounts-scope-consular-read = قوائم الحالات القنصلية: القراءة
accounts-scope-consular-write = قوائم الحالات القنصلية: التصرف في الحالات
accounts-token-expires-hint = اتركه فارغًا لرمز لا تنتهي صلاحيته.
accounts-token-create = إنشاء الرمز
accounts-token-created-title = تم إنشاء الرمز
accounts-token-created-heading = رمزك الجديد
accounts-token-created-lead = انسخه الآن: لن يُعرض مرة أخرى.
accounts-token-created-again = أُرسل هذا النموذج أكثر من مرة (نقرة مزدوجة، أو أُعيد إرسال الصفحة). أُلغي الرمز الذي أنشأه الإرسال السابق قبل لحظات: استخدم هذا الرمز.
accounts-data-heading = بياناتك
accounts-data-download = تنزيل كل بياناتي (JSON)

## Notices

accounts-notice-welcome = أهلًا بك! حسابك جاهز. أرسلنا إليك رسالة لتأكيد بريدك الإلكتروني.
accounts-notice-profile-saved = تم حفظ ملفك الشخصي.
accounts-notice-password-changed = تم تغيير كلمة المرور، وسُجّل خروجك من الجلسات الأخرى.
accounts-notice-password-changed-tokens = تم تغيير كلمة المرور، وسُجّل خروجك من الجلسات الأخرى وأُلغيت رموز الواجهة البرمجية.
accounts-notice-verification-sent = أرسلنا إليك رابط تأكيد جديدًا.
accounts-notice-already-verified = بريدك الإلكتروني مؤكَّد بالفعل.
accounts-notice-verified = شكرًا لك. تم تأكيد عنوان بريدك الإلكتروني.
accounts-notice-two-factor-off = تم إيقاف التحقق بخطوتين.
accounts-notice-two-factor-already-on = التحقق بخطوتين مفعّل من قبل. إن لم تحفظ رموز الاسترداد، فأنشئ رموزًا جديدة أدناه.
accounts-notice-token-revoked = تم إلغاء الرمز.
accounts-notice-password-reset = تم تغيير كلمة المرور. يرجى تسجيل الدخول بها.
accounts-notice-signed-out-everywhere = تم تسجيل خروجك من كل الأجهزة.

## Field errors

field-error-accounts-email-too-long = عنوان البريد الإلكتروني هذا طويل جدًا.
field-error-accounts-email-taken = هذا البريد الإلكتروني مستخدم في حساب آخر. سجّل الدخول أو أعد تعيين كلمة المرور.
field-error-accounts-password-too-short = استخدم عشرة أحرف على الأقل.
field-error-accounts-password-too-long = استخدم 256 حرفًا على الأكثر.
field-error-accounts-password-too-simple = لا تكرر حرفًا واحدًا فقط.
field-error-accounts-password-mismatch = كلمتا المرور غير متطابقتين.
field-error-accounts-password-same = اختر كلمة مرور غير التي أعطاك إياها المسؤول.
field-error-accounts-password-wrong = هذه ليست كلمة مرورك الحالية.
field-error-accounts-password-tries = محاولات خاطئة كثيرة لكلمة المرور: انتظر بضع دقائق ثم حاول مرة أخرى.
field-error-accounts-credentials-invalid = البريد الإلكتروني أو كلمة المرور غير صحيحين.
field-error-accounts-invalid-characters = احذف أحرف التحكم.
field-error-accounts-code-invalid = هذا الرمز غير صحيح. تحقّق من الوقت في هاتفك وجرّب أحدث رمز.
field-error-accounts-code-used = سبق استخدام هذا الرمز. انتظر الرمز التالي.
field-error-accounts-scope-required = اختر صلاحية واحدة على الأقل.
field-error-accounts-scope-not-granted = أدوارك لا تسمح بإحدى هذه الصلاحيات.
field-error-accounts-date-invalid = أدخل تاريخًا بالشكل ‎2027-01-31‎.
field-error-accounts-date-not-future = اختر تاريخًا بعد اليوم.

## التحقق بخطوتين قبل تأكيد العنوان

accounts-totp-needs-verified-email = أكِّد عنوان بريدك الإلكتروني قبل تفعيل التحقق بخطوتين، وإلا أمكن لمن فتح حسابًا بعنوان شخص آخر أن يقفله عليه. استخدم الرابط الذي أرسلناه إليك، أو اطلب رابطًا جديدًا.
