## admin

admin-title = الإدارة
admin-missions-title = البعثات
admin-missions-description = الوزارة وبعثاتها: الأسماء والدولة والمدينة واللغات وبيانات الاتصال.
admin-users-title = المستخدمون والأدوار
admin-users-description = حسابات الموظفين وأدوارهم في كل بعثة وكلمات المرور وصلاحيات الدخول.
admin-audit-title = سجل التدقيق
admin-audit-description = من فعل ماذا ومتى؛ تصفية السجل وتصديره والتحقق من سلامته.
admin-jobs-title = المهام الخلفية
admin-jobs-description = نشاط قائمة الانتظار والمهام التي فشلت نهائيًا مع زر لإعادة المحاولة.
admin-actions = الإجراءات
admin-edit = تعديل
admin-save = حفظ
admin-choose = اختر…
admin-any = الكل
admin-filter = تصفية
admin-yes = نعم

## Missions

admin-missions-empty = لا توجد بعثات بعد.
admin-mission-name = الاسم
admin-mission-new-title = بعثة جديدة
admin-mission-edit-title = تعديل البعثة
admin-mission-created = أُنشئت البعثة.
admin-mission-changed = حفظ مشرف آخر هذه البعثة أثناء تعديلك لها. تعديلاتك معروضة أدناه ولم تُحفظ بعد: قارنها بالبعثة كما هي الآن (افتحها في تبويب آخر)، ثم احفظ مجددًا.
admin-mission-saved = حُفظت البعثة.
mission-hint-code = من حرفين إلى ستة أحرف لاتينية كبيرة تُستخدم في المراجع (مثل PAR).
mission-hint-time-zone = اسم منطقة زمنية وفق IANA، مثل Europe/Paris أو Africa/Nairobi.
field-error-admin-mission-code-invalid = أدخل من حرفين إلى ستة أحرف لاتينية، مثل PAR.
field-error-admin-mission-code-taken = هذا الرمز مستخدم لبعثة أخرى.
field-error-admin-mission-code-used = أرقام قضايا أو تأشيرات إلكترونية لبعثة أخرى تحمل هذا الرمز؛ اختر لهذه البعثة رمزًا آخر حتى لا تتكرر الأرقام.
field-error-admin-mission-time-zone-in-use = توجد مواعيد قادمة محجوزة في هذه البعثة وفق توقيتها الحالي، فلا يمكن تغيير منطقتها الزمنية ما دامت قائمة: ستقع ساعات العمل نفسها في أوقات أخرى. انقلها أو ألغها أولاً (تعرضها قائمة اليوم).
field-error-admin-mission-kind-unknown = اختر نوع البعثة من القائمة.
field-error-admin-country-code-format = اختر دولة من القائمة.
field-error-admin-country-code-unknown = اختر دولة من القائمة.
field-error-admin-languages-required = اختر لغة عمل واحدة على الأقل.
field-error-admin-language-unknown = اختر لغة من القائمة.
field-error-admin-time-zone-invalid = أدخل منطقة زمنية مثل Europe/Paris أو UTC.
field-error-admin-phone-invalid = أدخل رقم هاتف يتكون من أرقام ومسافات وشرطات، مع علامة + اختيارية في أوله.
field-error-admin-date-invalid = أدخل التاريخ بالصيغة YYYY-MM-DD.
field-error-admin-date-before-from = يجب ألا يسبق تاريخُ النهاية تاريخَ البداية.

## Users

admin-users-search = الاسم أو البريد الإلكتروني
admin-users-kind = نوع الحساب
admin-users-role = الدور
admin-users-empty = لا يوجد مستخدم يطابق هذه المعايير.
admin-users-more = تطابق البحثَ حساباتٌ أكثر مما يظهر هنا، والأحدث أولًا: ابحث بالاسم أو العنوان، أو اختر نوعًا أو دورًا، لتجد غيرها.
admin-kind-staff = موظف
admin-kind-public = عام
admin-kind-public-with-roles = عام، ويشغل أدوارًا
admin-scope-ministry = الوزارة كلها
admin-user-new-title = حساب موظف جديد
admin-user-new-lead = يتسلّم الزميل الجديد منك كلمة مرور لمرة واحدة، ويُعِدّ التحقق بخطوتين عند أول تسجيل دخول.
admin-user-language = لغة الواجهة
admin-user-create = إنشاء الحساب
admin-user-created-title = أُنشئ حساب الموظف
admin-user-created = أُنشئ الحساب.
admin-user-created-again = أُنشئ هذا الحساب بهذا النموذج نفسه من قبل (أُرسل النموذج مرتين). كانت كلمة المرور لمرة واحدة في الرد على الإرسال الأول؛ إن لم تطّلع عليها فأعد تعيين كلمة المرور أدناه للحصول على كلمة جديدة.
admin-one-time-password-lead = سلّم كلمة المرور هذه إلى الزميل عبر قناة آمنة. لن تظهر إلا الآن ولا يمكن عرضها مرة أخرى.
admin-one-time-password-totp = سيُطلب منه عند أول تسجيل دخول إعداد التحقق بخطوتين باستخدام تطبيق مصادقة.
admin-user-open = فتح الحساب
admin-user-title = المستخدم
admin-user-two-factor = التحقق بخطوتين
admin-user-two-factor-pending = لم يُعَدّ بعد
admin-user-created-at = تاريخ الإنشاء
admin-user-email-confirmed = العنوان مؤكَّد
admin-user-email-unconfirmed = لا: لم يؤكّده صاحبه بعد
admin-user-no-roles = لا يشغل هذا المستخدم أي دور.
admin-user-account = الحساب
admin-user-audit-link = هذا المستخدم في سجل التدقيق
admin-user-audit-actor-link = ما فعله هذا المستخدم
admin-grant-title = منح دور
admin-grant-role = الدور
admin-grant-scope = النطاق
admin-grant = منح
admin-grant-unconfirmed-hint = لم يؤكّد صاحب الحساب عنوان بريده الإلكتروني: لا يمكن منحه أي دور حتى يؤكّده.
admin-grant-unconfirmed = لا يمكن منح هذا الحساب أي دور بعد: فعنوان بريده الإلكتروني لم يُؤكَّد قط، ويستطيع أي شخص فتح حساب بعنوان شخص آخر. على صاحب الحساب أن يؤكد عنوانه أولًا، بالرابط المرسَل إليه أو برابط جديد («إرسال رابط تأكيد جديد» في صفحة حسابه)؛ ثم امنح الدور من جديد.
admin-revoke = سحب
admin-disable = تعطيل الحساب
admin-enable = تفعيل الحساب
admin-reset-password = إعادة تعيين كلمة المرور
admin-reset-password-hint = تظهر كلمة مرور جديدة لمرة واحدة، ويُسجَّل خروج المستخدم من جميع الأجهزة.
admin-reset-two-factor = إعادة تعيين التحقق بخطوتين
admin-reset-two-factor-hint = لمن فقد تطبيق المصادقة ورموز الاسترداد معًا: يُوقَف التحقق بخطوتين، ويُسجَّل خروج المستخدم من جميع الأجهزة ويُبلَّغ بالبريد الإلكتروني. والحساب الذي يلزمه التحقق بخطوتين يُعِدّه من جديد عند تسجيل الدخول التالي.
admin-password-reset-title = إعادة تعيين كلمة المرور
admin-password-reset-done = أُعيد تعيين كلمة المرور.
admin-password-reset-again = أُعيد تعيين كلمة المرور هذه بهذا النموذج نفسه من قبل (أُرسل النموذج مرتين)، ولم تُنشأ كلمة مرور أخرى. كانت كلمة المرور الجديدة لمرة واحدة في الرد على الإرسال الأول؛ إن لم تطّلع عليها فأعد تعيين كلمة المرور أدناه مرة أخرى للحصول على كلمة جديدة.
admin-user-granted = مُنح الدور.
admin-user-granted-tokens-revoked = { PLURAL($count) ->
    [one] مُنح الدور. وأُلغي رمز الواجهة البرمجية الذي أنشأه هذا الحساب قبل أن يشغل دورًا، لأنه ربما أُنشئ دون التحقق بخطوتين. ويستطيع صاحبه إنشاء رمز جديد بعد تسجيل دخوله بالتحقق بخطوتين.
    [two] مُنح الدور. وأُلغي رمزا الواجهة البرمجية اللذان أنشأهما هذا الحساب قبل أن يشغل دورًا، لأنهما ربما أُنشئا دون التحقق بخطوتين. ويستطيع صاحبه إنشاء رموز جديدة بعد تسجيل دخوله بالتحقق بخطوتين.
    [few] مُنح الدور. وأُلغيت { $count } رموز للواجهة البرمجية أنشأها هذا الحساب قبل أن يشغل دورًا، لأنها ربما أُنشئت دون التحقق بخطوتين. ويستطيع صاحبه إنشاء رموز جديدة بعد تسجيل دخوله بالتحقق بخطوتين.
    [many] مُنح الدور. وأُلغي { $count } رمزًا للواجهة البرمجية أنشأها هذا الحساب قبل أن يشغل دورًا، لأنها ربما أُنشئت دون التحقق بخطوتين. ويستطيع صاحبه إنشاء رموز جديدة بعد تسجيل دخوله بالتحقق بخطوتين.
   *[other] مُنح الدور. وأُلغي { $count } رمز للواجهة البرمجية أنشأها هذا الحساب قبل أن يشغل دورًا، لأنها ربما أُنشئت دون التحقق بخطوتين. ويستطيع صاحبه إنشاء رموز جديدة بعد تسجيل دخوله بالتحقق بخطوتين.
}
admin-user-revoked = سُحب الدور.
admin-user-disabled = عُطّل الحساب وأُنهيت جلساته وأُلغيت رموز الواجهة البرمجية الخاصة به.
admin-user-enabled = فُعّل الحساب.
admin-user-two-factor-reset = أُوقف التحقق بخطوتين وسُجّل خروج المستخدم من جميع الأجهزة، وأُبلغ بذلك بالبريد الإلكتروني.
admin-last-admin = هذا آخر مسؤول نظام نشط على مستوى الوزارة. امنح دور مسؤول النظام لشخص آخر أولًا.
admin-own-account-disable = لا يمكنك تعطيل حسابك بنفسك. يستطيع ذلك مسؤول نظام آخر.
admin-own-admin-role = لا يمكنك سحب دور مسؤول النظام على مستوى الوزارة من نفسك. يستطيع ذلك مسؤول نظام آخر.
admin-own-two-factor-reset = لا يمكنك إعادة تعيين التحقق بخطوتين لحسابك بنفسك. يستطيع ذلك مسؤول نظام آخر.
field-error-admin-email-taken = يوجد حساب بهذا البريد الإلكتروني بالفعل.
field-error-admin-role-unknown = اختر دورًا من القائمة.
field-error-admin-scope-unknown = اختر الوزارة كلها أو بعثة من القائمة.
field-error-admin-invalid-characters = احذف أحرف التحكم من هذا الحقل.

## Audit trail

admin-audit-chain-title = سلامة السجل
admin-audit-verify = التحقق من السلسلة
admin-audit-chain-intact = { PLURAL($count) ->
    [zero] السلسلة سليمة: لا توجد سجلات للتحقق منها.
    [one] السلسلة سليمة: جرى التحقق من سجل واحد.
    [two] السلسلة سليمة: جرى التحقق من سجلين.
    [few] السلسلة سليمة: جرى التحقق من { $count } سجلات.
    [many] السلسلة سليمة: جرى التحقق من { $count } سجلًا.
   *[other] السلسلة سليمة: جرى التحقق من { $count } سجل.
}
admin-audit-chain-broken = السلسلة مكسورة عند السجل
admin-audit-reason-missing = يوجد سجل مفقود
admin-audit-reason-link = عُدّل الرابط بالسجل السابق
admin-audit-reason-content = عُدّل محتوى السجل
admin-audit-chain-head = أحدث سجل هو رقم { $seq }، وبصمته:
admin-audit-chain-head-note = دوّن هذين أو احتفظ بنسخة مصدّرة. حذف أحدث السجلات لا تكشفه السلسلة نفسها: تبقى سليمة لكنها أقصر. قارن الرقم والبصمة المعروضين هنا بما دوّنته من قبل: رقم أصغر، أو بصمة مختلفة عند الرقم نفسه، يعني أن سجلات حُذفت أو استُبدلت.
admin-audit-actor = المنفّذ
admin-audit-action = الإجراء
admin-audit-mission = البعثة
admin-audit-any-mission = كل البعثات
admin-audit-any-action = كل الإجراءات
admin-audit-target = الهدف
admin-audit-from = من (تاريخ، بالتوقيت العالمي UTC)
admin-audit-to = إلى (تاريخ، بالتوقيت العالمي UTC، ضمنًا)
admin-audit-at = الوقت
admin-audit-client-ip = العنوان
admin-audit-summary = الملخص
admin-audit-export = تنزيل هذه السجلات بصيغة CSV
admin-audit-empty = لا يوجد سجل يطابق هذه المعايير.
admin-audit-pages = صفحات السجل
admin-audit-older = سجلات أقدم
admin-audit-newest = أحدث السجلات

## Jobs

admin-jobs-dead = المهام الفاشلة
admin-jobs-hidden-note = تُخفى نصوص الرسائل والروابط والأسرار الأخرى الواردة في بيانات المهام.
admin-jobs-none-dead = لا توجد مهام فشلت نهائيًا.
admin-job-attempts = المحاولات
admin-job-failed-at = وقت الفشل
admin-job-last-error = آخر خطأ
admin-job-payload = البيانات
admin-job-retry = إعادة المحاولة
admin-job-retried = أُعيدت المهمة إلى قائمة الانتظار.
admin-jobs-kinds = المهام الفاشلة حسب النوع
admin-jobs-all-kinds = كل الأنواع
admin-jobs-pages = صفحات المهام الفاشلة
admin-jobs-older = مهام فاشلة أقدم
admin-jobs-retry-all = { PLURAL($count) ->
    [one] أعد محاولة المهمة الفاشلة الوحيدة من هذا النوع
    [two] أعد محاولة المهمتين الفاشلتين من هذا النوع
    [few] أعد محاولة المهام الفاشلة الـ{ $count } من هذا النوع
    [many] أعد محاولة المهام الفاشلة من هذا النوع ({ $count } مهمة)
   *[other] أعد محاولة المهام الفاشلة من هذا النوع ({ $count } مهمة)
}
admin-jobs-retried-all = { PLURAL($count) ->
    [zero] لم تبقَ مهمة فاشلة من هذا النوع لإعادة محاولتها.
    [one] أُعيدت مهمة واحدة إلى قائمة الانتظار.
    [two] أُعيدت مهمتان إلى قائمة الانتظار.
    [few] أُعيدت { $count } مهام إلى قائمة الانتظار.
    [many] أُعيدت { $count } مهمة إلى قائمة الانتظار.
   *[other] أُعيدت { $count } مهمة إلى قائمة الانتظار.
}

## Audit actions, by their code with "." and "_" written "-" (the code is shown beside).
audit-action-alert-approve = اعتماد تنبيه
audit-action-alert-cancel = سحب تنبيه
audit-action-alert-create = إنشاء تنبيه
audit-action-alert-edit = تعديل تنبيه
audit-action-alert-import = استيراد تنبيه بصيغة CAP
audit-action-alert-preview = احتساب جمهور تنبيه
audit-action-alert-reject = إعادة تنبيه إلى كاتبه
audit-action-alert-submit = تقديم تنبيه للاعتماد
audit-action-appointment-cancel = إلغاء موعد من قِبل الموظفين
audit-action-appointment-read = الاطلاع على حجوزات المواعيد
audit-action-appointment-closure-create = إضافة إغلاق إلى المواعيد
audit-action-appointment-closure-remove = حذف إغلاق من المواعيد
audit-action-appointment-rule-create = إضافة ساعات عمل أسبوعية
audit-action-appointment-rule-remove = حذف ساعات عمل أسبوعية
audit-action-audit-export = تنزيل سجل التدقيق
audit-action-audit-read = الاطلاع على سجل التدقيق
audit-action-case-approve = الموافقة على طلب
audit-action-case-assign = إسناد طلب
audit-action-case-close = إغلاق طلب
audit-action-case-escalate = تصعيد طلب طارئ لم يُرَدّ عليه
audit-action-case-export = تنزيل قائمة الطلبات
audit-action-case-list = الاطلاع على قائمة الطلبات
audit-action-case-message = رسالة في طلب
audit-action-case-note = إضافة ملاحظة داخلية
audit-action-case-open-etd = فتح طلب وثيقة سفر اضطرارية
audit-action-case-priority = تغيير الأولوية
audit-action-case-provide-info = تقديم المعلومات المطلوبة
audit-action-case-purge = حذف طلب مغلق بعد انقضاء مدة حفظه
audit-action-case-read = الاطلاع على طلب
audit-action-case-ready-for-collection = الجواز جاهز للاستلام
audit-action-case-reject = رفض طلب
audit-action-case-request-info = طلب معلومات
audit-action-case-start-review = بدء المراجعة
audit-action-case-submit = تقديم طلب
audit-action-case-withdraw = سحب طلب
audit-action-crisis-board-export = تنزيل لوحة السلامة
audit-action-crisis-board-read = الاطلاع على لوحة السلامة
audit-action-crisis-checkin-help = فتح طلب طارئ من طلب مساعدة
audit-action-crisis-close = إغلاق أزمة
audit-action-crisis-declare = إعلان أزمة
audit-action-crisis-geojson-export = تنزيل لوحة السلامة بصيغة GeoJSON
audit-action-crisis-my-data-delete = محو تسجيل بطلب من المواطن
audit-action-crisis-my-data-export = تنزيل المواطن بيانات تسجيله
audit-action-crisis-pfif-export = تصدير أشخاص إلى Person Finder ‏(PFIF)
audit-action-crisis-pfif-import = استيراد أشخاص من Person Finder ‏(PFIF)
audit-action-crisis-presence = فتح نموذج تسجيل الوجود أو إغلاقه
audit-action-crisis-webhook-create = إضافة خطاف تنبيهات
audit-action-crisis-webhook-disable = تعطيل خطاف تنبيهات
audit-action-document-read = الاطلاع على مستند
audit-action-document-rescan = إعادة فحص المستندات المحفوظة بحثًا عن الفيروسات
audit-action-evisa-issue = إصدار تأشيرة إلكترونية
audit-action-evisa-read = الاطلاع على تأشيرة إلكترونية
audit-action-evisa-revoke = إلغاء تأشيرة إلكترونية
audit-action-evisa-key-rotate = استبدال مفتاح توقيع التأشيرات الإلكترونية
audit-action-job-read = الاطلاع على المهام الفاشلة
audit-action-job-retry = إعادة محاولة مهمة فاشلة
audit-action-listen-dataset-create = إنشاء مجموعة بيانات رصد
audit-action-listen-monitor-create = إنشاء مراقِب رصد
audit-action-listen-monitor-subscribe = اشتراك في مراقِب رصد
audit-action-mission-create = إنشاء بعثة
audit-action-mission-update = تعديل بعثة
audit-action-role-grant = منح دور
audit-action-role-revoke = سحب دور
audit-action-service-create = إضافة خدمة قنصلية
audit-action-service-update = تعديل خدمة قنصلية
audit-action-token-create = إنشاء رمز للواجهة البرمجية
audit-action-token-revoke = إلغاء رمز للواجهة البرمجية
audit-action-travel-advice-publish = نشر نصائح السفر
audit-action-user-create = إنشاء حساب
audit-action-user-disable = تعطيل حساب
audit-action-user-enable = إعادة تفعيل حساب
audit-action-user-password-reset = إعادة تعيين كلمة المرور
audit-action-user-profile-update = تغيير الاسم أو اللغة
audit-action-user-read = الاطلاع على حساب
audit-action-user-recovery-code-used = تسجيل الدخول برمز استرداد
audit-action-user-recovery-codes-replace = إنشاء رموز استرداد جديدة
audit-action-user-two-factor-enable = تفعيل التحقق بخطوتين
audit-action-user-two-factor-reset = إعادة تعيين التحقق بخطوتين من قِبل مسؤول

## Email to an account's owner when an administrator resets their two-step verification

email-two-factor-reset-by-admin-subject = أُعيد تعيين التحقق بخطوتين في حسابك على سفير
email-two-factor-reset-by-admin-body =
    مرحبًا { $name }،

    أوقف أحد مسؤولي الوزارة التحقق بخطوتين في حسابك على سفير، وسُجّل الخروج من جميع جلساتك. لم تعد رموز تطبيق المصادقة القديم ولا رموز الاسترداد صالحة. وإن كان حسابك يتطلب التحقق بخطوتين، فستُعِدّه من جديد عند تسجيل دخولك التالي.

    إن لم تطلب ذلك، فتواصل مع الوزارة فورًا.
