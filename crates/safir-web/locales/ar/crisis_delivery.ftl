# التنبيهات كما تُرسل بالبريد والرسائل القصيرة والخطافات؛ صفحة إدارة الخطافات.
crisis-delivery-email-subject = تنبيه: { $headline }
crisis-delivery-email-body =
    { $headline }

    { $description }

    ما يجب فعله: { $instruction }
crisis-delivery-email-subject-update = تحديث: { $headline }
crisis-delivery-email-subject-cancel = إلغاء: { $headline }
crisis-delivery-email-body-cancel =
    أُلغي التنبيه «{ $headline }»: لم يعد ما طلبه قائمًا.

    { $description }

    ما يجب فعله: { $instruction }
crisis-delivery-checkin =
    نرجو أن تخبرنا إن كنت بأمان. افتح رابطك الشخصي وأجب: بأمان، أو أحتاج مساعدة، أو لست في المنطقة.

    { $link }
crisis-delivery-unsubscribe = تصلك هذه الرسالة لأنك مشترك في نصائح السفر الخاصة بهذا البلد. لإلغاء الاشتراك: { $unsubscribe }
crisis-delivery-sms = { $headline }. { $instruction }
crisis-delivery-sms-update = تحديث: { $headline }. { $instruction }
crisis-delivery-sms-cancel = إلغاء: { $headline }. { $instruction }
crisis-delivery-sms-checkin = أرسل آمن أو مساعدة، أو أجب هنا: { $link }
crisis-delivery-webhooks-title = خطافات التنبيهات
crisis-delivery-webhooks-intro = أنظمة الشركاء التي تتلقى كل تنبيه بصيغة JSON موقّعًا بـ HMAC-SHA256 في الترويسة Safir-Signature.
crisis-delivery-webhooks-name = الاسم
crisis-delivery-webhooks-url = العنوان
crisis-delivery-webhooks-countries = الدول (رموز من حرفين تفصل بينها مسافات؛ فارغ للجميع)
crisis-delivery-webhooks-add = إضافة خطاف
crisis-delivery-webhooks-disable = تعطيل
crisis-delivery-webhooks-enabled = مفعّل
crisis-delivery-webhooks-disabled = معطّل
crisis-delivery-webhooks-none = لا توجد خطافات بعد.
crisis-delivery-webhooks-secret-once = سر التوقيع الخاص بـ { $name }، يُعرض هذه المرة فقط:
crisis-delivery-webhooks-already-added = سبق إرسال هذا النموذج: أُضيف الخطاف { $name } حينها، وعُرض سر توقيعه مرة واحدة في الرد على ذلك الإرسال. لن يُعرض مرة أخرى: إن لم ينسخه أحد، فعطّل الخطاف وأضِفه من جديد.
crisis-delivery-webhooks-bad-url = يجب أن يبدأ العنوان بـ https:// أو http:// وأن يسمّي مضيفًا صحيحًا (ومنفذًا صحيحًا إن وُجد).
crisis-delivery-webhooks-private-url = هذا العنوان داخل شبكة خاصة (أو يؤدي اسمه إلى شبكة خاصة): تُرسل الخطافات إلى شركاء على الإنترنت. يمكن للمشغّل السماح بالشبكات الخاصة (webhook_private_networks).
crisis-delivery-webhooks-bad-name = أعطِ الخطاف اسمًا (100 حرف على الأكثر).
crisis-delivery-webhooks-bad-countries = يجب أن تكون الدول رموزًا من حرفين تفصل بينها مسافات.
admin-webhooks-title = خطافات التنبيهات
admin-webhooks-description = الأنظمة الشريكة التي تتلقى كل تنبيه بصيغة JSON موقّعة: أضِفها أو أوقِف الإرسال إليها.
