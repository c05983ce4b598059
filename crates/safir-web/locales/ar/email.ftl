## email

email-verify-subject = أكّد بريدك الإلكتروني في سفير
email-verify-body =
    مرحبًا { $name }،

    يرجى تأكيد بريدك الإلكتروني بفتح هذا الرابط:

    { $link }

    يعمل الرابط مرة واحدة خلال 24 ساعة. إن لم تنشئ حسابًا، فتجاهل هذه الرسالة.

email-reset-subject = إعادة تعيين كلمة مرورك في سفير
email-reset-body =
    مرحبًا { $name }،

    طلب أحدهم إعادة تعيين كلمة مرور حسابك في سفير. لاختيار كلمة مرور جديدة، افتح هذا الرابط:

    { $link }

    يعمل الرابط مرة واحدة خلال ساعة. إن لم تطلب ذلك، فتجاهل هذه الرسالة وستبقى كلمة مرورك كما هي.

email-password-changed-subject = تم تغيير كلمة مرورك في سفير
email-password-changed-body =
    مرحبًا { $name }،

    تم للتو تغيير كلمة مرور حسابك في سفير، وسُجّل الخروج من جلساتك الأخرى.

    إن لم تفعل ذلك، فأعد تعيين كلمة المرور فورًا وتواصل مع الوزارة.

email-two-factor-on-subject = تم تفعيل التحقق بخطوتين في حسابك على سفير
email-two-factor-on-body =
    مرحبًا { $name }،

    تم للتو تفعيل التحقق بخطوتين في حسابك على سفير. من الآن فصاعدًا ستُدخل رمزًا من تطبيق المصادقة عند تسجيل الدخول.

    إن لم تفعل ذلك، فأعد تعيين كلمة المرور فورًا وتواصل مع الوزارة.

email-two-factor-off-subject = تم إيقاف التحقق بخطوتين في حسابك على سفير
email-two-factor-off-body =
    مرحبًا { $name }،

    تم للتو إيقاف التحقق بخطوتين في حسابك على سفير.

    إن لم تفعل ذلك، فأعد تعيين كلمة المرور فورًا وفعّله من جديد.

listen-monitor-matches = { PLURAL($matches) ->
    [zero] لا رسائل مطابقة
    [one] رسالة مطابقة واحدة
    [two] رسالتان مطابقتان
    [few] { $matches } رسائل مطابقة
   *[other] { $matches } رسالة مطابقة
}
listen-monitor-cooldown = { PLURAL($cooldown) ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $cooldown } دقائق
   *[other] { $cooldown } دقيقة
}
listen-monitor-alert-subject = المراقِب «{ $monitor }»: { listen-monitor-matches }
listen-monitor-alert-body =
    مرحبًا { $name }،

    وجد المراقِب «{ $monitor }» في مجموعة البيانات «{ $dataset }» { listen-monitor-matches } (عتبته { $threshold }) بين { $start } و{ $end } (بالتوقيت العالمي، وقت الرسائل).

    أحدثها:
    { $samples }

    لن يصل تنبيه آخر من هذا المراقِب قبل مرور { listen-monitor-cooldown } على الأقل. تصلك هذه الرسالة لأنك مشترك في المراقِب.
