## التأشيرات الإلكترونية: الوثيقة وإلغاؤها والتحقق العام

evisa-title = تأشيرة إلكترونية
evisa-doc-title = تأشيرة إلكترونية
evisa-doc-issuer = وزارة الخارجية
evisa-field-number = رقم التأشيرة
evisa-field-holder = الاسم كما في جواز السفر
evisa-field-passport = رقم جواز السفر
evisa-field-nationality = الجنسية
evisa-field-birth-date = تاريخ الميلاد
evisa-field-type = نوع التأشيرة
evisa-field-entries = عدد مرات الدخول
evisa-field-valid-from = صالحة من
evisa-field-valid-until = صالحة حتى
evisa-field-max-stay = أقصى مدة للإقامة
evisa-field-mission = جهة الإصدار
evisa-field-issued-at = تاريخ الإصدار
evisa-entries-single = دخول واحد
evisa-entries-double = دخولان
evisa-entries-multiple = دخول متعدد
evisa-max-stay-days = { PLURAL($count) ->
    [zero] لا أيام
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}
evisa-qr-caption = امسح الرمز أو افتح العنوان أدناه للتحقق من هذه التأشيرة.
evisa-download-pdf = تنزيل ملف PDF
evisa-revoked-banner = أُلغيت هذه التأشيرة ولم تعد صالحة.
evisa-revoke-heading = إلغاء هذه التأشيرة
evisa-revoke-reason = السبب
evisa-revoke-reason-hint = يُحفظ في السجل وفي سجل التدقيق، ولا يراه صاحب التأشيرة.
evisa-revoke-submit = إلغاء التأشيرة
evisa-revoked-done = أُلغيت التأشيرة، وسيظهر ذلك عند التحقق من رمزها.
evisa-already-revoked = هذه التأشيرة ملغاة من قبل.

# رسالة إلى صاحب التأشيرة حين يلغيها موظف (السبب لا يُرسل إليه)
email-evisa-revoked-subject = أُلغيت تأشيرتك الإلكترونية { $visa }
email-evisa-revoked-body =
    مرحبًا { $name }،

    ألغت البعثة تأشيرتك الإلكترونية { $visa }، فلم تعد صالحة للسفر، ومن يتحقق من رمزها يُبلَّغ بأنها ملغاة.

    صفحة التأشيرة، وفيها ذلك:
    { $link }

    إن كانت لديك أسئلة فراسل البعثة من صفحة طلبك، في «طلباتي».

## التحقق العام

verify-title = التحقق من تأشيرة إلكترونية
verify-lead = امسح رمز QR الموجود على التأشيرة، أو الصق رمزها أو عنوانها هنا. يشمل التحقق توقيع الوزارة وتواريخ الصلاحية والإلغاء.
verify-code-label = رمز التأشيرة أو عنوانها
verify-code-hint = في العنوان جزء /verify?v= والرمز هو ما يليه.
verify-submit = تحقق
verify-offline = يمكنك أيضًا التحقق من التأشيرة دون هذا الموقع، باستخدام المفتاح العام للوزارة:
verify-valid-title = تأشيرة صالحة
verify-valid-detail = أصدرت الوزارة هذه التأشيرة وهي صالحة اليوم. تأكد من تطابق الاسم ورقم الجواز مع الجواز المقدَّم.
verify-expired-title = تأشيرة منتهية الصلاحية
verify-expired-detail = أصدرت الوزارة هذه التأشيرة لكن مدة صلاحيتها انتهت، فلم تعد تسمح بالدخول.
verify-not-yet-valid-title = تأشيرة لم تبدأ صلاحيتها بعد
verify-not-yet-valid-detail = أصدرت الوزارة هذه التأشيرة لكن صلاحيتها لم تبدأ بعد، وتسمح بالدخول ابتداءً من أول يوم مذكور.
verify-revoked-title = تأشيرة ملغاة
verify-revoked-detail = أصدرت الوزارة هذه التأشيرة ثم ألغتها، فلا تسمح بالدخول.
verify-invalid-title = ليست تأشيرة صالحة
verify-invalid-detail = لم تُصدر الوزارة هذا الرمز، أو عُدِّل، أو نُسخ ناقصًا. لا تقبله؛ امسح رمز QR مرة أخرى أو راجع الرمز حرفًا حرفًا.
