## الاطمئنان على السلامة (الصفحة العامة خلف الرابط الشخصي)

checkin-title = الاطمئنان على السلامة
checkin-heading = هل أنت بخير؟
checkin-for = الاطمئنان على
checkin-thanks = شكرًا لك. سُجّل جوابك، ويمكنك تغييره أدناه في أي وقت.
checkin-current = جوابك:
checkin-change = إذا تغيّر وضعك فأجب مرة أخرى.
checkin-help-alerted = أُبلغ الفريق القنصلي في البعثة، وسيتصل بك.
checkin-note-label = ملاحظة (اختيارية): أين أنت، ومن معك، وما الذي تحتاجه
checkin-location-share = شارك موقعي
checkin-location-shared = سيُرسل موقعك مع جوابك.
checkin-location-failed = تعذّرت قراءة موقعك؛ ويمكنك إرسال جوابك من دونه.
checkin-answer-safe = أنا بخير
checkin-answer-need-help = أحتاج إلى مساعدة
checkin-answer-not-in-area = لست في المنطقة
checkin-status-safe = بخير
checkin-status-need-help = يحتاج إلى مساعدة
checkin-case-description = الاطمئنان على السلامة: يحتاج إلى مساعدة.
checkin-case-safe = الاطمئنان على السلامة: بخير.
checkin-case-not-in-area = الاطمئنان على السلامة: ليس في المنطقة.
checkin-case-heading = طلبك للمساعدة
checkin-case-state = حالته:
checkin-case-answer = لتجيب البعثة، اكتب في الملاحظة أدناه واختر إجابتك: تصل إلى الموظف الذي يتابع طلبك.
checkin-case-finished = انتهى هذا الطلب: لم يعد الجواب هنا يصل إليه. إن احتجت إلى المساعدة من جديد فاختر «أحتاج إلى مساعدة»: سيُفتح طلب جديد.
checkin-case-follow = تابعه في «طلباتي»
checkin-status-not-in-area = ليس في المنطقة
checkin-error-answer = اختر أحد الأجوبة الثلاثة.
checkin-error-location = الموقع المرسل ليس موقعًا صحيحًا؛ شاركه مرة أخرى أو أجب من دونه.
checkin-error-note = الملاحظة طويلة جدًا: 1000 حرف على الأكثر.

## الردود على الكلمات المفتاحية في الرسائل القصيرة

checkin-sms-safe = شكرًا لك، سُجّل جوابك «بخير». أرسل «مساعدة» إن تغيّر ذلك.
checkin-sms-help = سُجّل طلبك للمساعدة وأُبلغ الفريق القنصلي.
checkin-sms-help-reference = مرجعه: { $reference }.
checkin-sms-help-details = لإضافة تفاصيل، أرسل «مساعدة» ثم التفاصيل.
checkin-sms-note-cut = رسالتك أطول من { $max } حرف: حُفظت أحرفها الـ{ $max } الأولى مع جوابك.
checkin-sms-no-checkin = لا يوجد لدينا استفسار عن السلامة بانتظار جواب من هذا الرقم.
checkin-sms-stopped = لن تصلك بعد الآن رسائل نصائح السفر القصيرة.
checkin-sms-unsubscribed = أُلغي اشتراكك في رسائل نصائح السفر القصيرة هذه.
checkin-sms-nothing-to-stop = لا يوجد لهذا الرقم اشتراك في رسائل نصائح السفر القصيرة؛ لم يتغير شيء.
checkin-sms-confirmed = تأكّد اشتراكك في الرسائل القصيرة. أرسل «إيقاف» لإنهائه.
checkin-sms-nothing-to-confirm = لا يوجد اشتراك بانتظار التأكيد لهذا الرقم.
checkin-sms-keywords = أرسل «آمن» إن كنت بخير، أو «مساعدة» إن كنت تحتاج إلى مساعدة، أو «إيقاف» لإنهاء رسائل نصائح السفر.
checkin-sms-safe-all = شكرًا لك، سُجّل الجواب «بخير» لجميع المسجّلين بهذا الرقم ({ $count }). أرسل «مساعدة» إن تغيّر ذلك.
checkin-sms-help-references = مراجعها: { $references }.
checkin-sms-choose = هذا الرقم مسجّل لعدة أشخاص: { $people }. لم يُسجَّل شيء بعد: أرسل «آمن» ورقم الشخص (من «آمن 1» إلى «آمن { $count }») أو «آمن الكل».
checkin-sms-help-everyone = هذا الرقم مسجّل لعدة أشخاص: { $people }. سُجّل الطلب لكل منهم؛ يمكنك في المرة القادمة إرسال «مساعدة» ورقم أحدهم («مساعدة 1»).

## التذكير لمن لم يجب

checkin-reminder-sms = { $name }، لم يصلنا منك جواب. هل أنت بخير؟ أجب هنا: { $link } أو أرسل «آمن» أو «مساعدة».
email-crisis-checkin-reminder-subject = تذكير: هل أنت بخير؟
email-crisis-checkin-reminder-body =
    مرحبًا { $name }،

    أرسلنا إليك استفسارًا عن سلامتك ولم يصلنا منك جواب بعد. أخبرنا من فضلك إن كنت بخير أو تحتاج إلى مساعدة:

    { $link }

    إن كنت تحتاج إلى مساعدة فاختر «أحتاج إلى مساعدة» وسيتواصل معك الفريق القنصلي.

## لوحة السلامة (للموظفين)

board-title = لوحة السلامة
board-heading = لوحة السلامة:
board-tile-targeted = رسائل أُرسلت
board-tile-delivered = وصلت
board-tile-failed = تعذّر إيصالها
board-tile-not-sent = لم تُرسَل (حلّ محلّها تحديث، أو أُلغيت، أو انتهت صلاحيتها، أو ألغى المشترك اشتراكه)
board-tile-safe = بخير
board-tile-need-help = يحتاجون إلى مساعدة
board-tile-unacknowledged = لم يُؤكَّد استلام طلبهم بعد
board-tile-not-in-area = ليسوا في المنطقة
board-tile-no-answer = لم يجيبوا
board-by-region = حسب المنطقة
board-by-vulnerability = حسب الهشاشة
board-region-unknown = (بلا منطقة)
board-vulnerability-children = أطفال
board-vulnerability-elderly = كبار السن
board-vulnerability-medical = احتياجات طبية
board-vulnerability-none = لا شيء مما سبق
board-status-waiting = لم يجب
board-status-safe = بخير
board-status-need-help = يحتاج إلى مساعدة
board-status-not-in-area = ليس في المنطقة
board-status-superseded = حلّ محلّه استفسار أحدث
board-list-heading = الأشخاص المعنيون
board-filter-status = الجواب
board-filter-region = المنطقة
board-filter-vulnerable = الفئات الهشة فقط
board-filter-name = الاسم أو الهاتف
board-filter-sort = الترتيب
board-filter-any = الكل
board-filter-apply = اعرض
board-sort-vulnerability = الأكثر هشاشة أولًا
board-sort-name = حسب الاسم
board-export-csv = نزّل القائمة (CSV)
board-export-pfif = صدّر إلى Person Finder ‏(PFIF 1.4)
board-export-geojson = المواقع (GeoJSON)
board-col-name = الاسم
board-col-status = الجواب
board-col-answered = وقت الجواب
board-col-region = المنطقة
board-col-vulnerability = الهشاشة
board-col-phone = الهاتف
board-col-email = البريد الإلكتروني
board-col-note = ملاحظة
board-col-lat = خط العرض
board-col-lon = خط الطول
board-col-case = الملف
board-col-case-state = حالة الملف
board-col-source = سجل PFIF
board-case-unacknowledged = لم يُؤكَّد استلامه بعد
board-imported = (مستورد)
board-empty = لا أحد يطابق هذه المرشحات.
board-next-page = الصفحة التالية
board-import-heading = استيراد من Person Finder ‏(PFIF)
board-import-file = ملف PFIF 1.4
board-import-paste = أو الصق نص XML
board-import-submit = استورد
board-import-empty = اختر ملفًا أو الصق مستند PFIF.
board-import-too-large = الملف كبير جدًا (20 ميغابايت على الأكثر).
board-import-not-utf8 = الملف ليس نصًا بترميز UTF-8 (يخرج عنه عند البايت { $offset }). احفظه بترميز UTF-8 ثم استورده مجددًا.
board-import-done = استُورد { PLURAL($added) ->
        [zero] لا أحد جديد
        [one] شخص جديد واحد
        [two] شخصان جديدان
        [few] { $added } أشخاص جدد
        [many] { $added } شخصًا جديدًا
       *[other] { $added } شخص جديد
    }، و{ $skipped } موجودون على اللوحة من قبل{ $updated ->
        [0] {""}
       *[other] ، منهم { $updated } بإجابة أحدث
    }.
board-pfif-xml = المستند ليس XML سليمًا (السطر { $line }): { $detail }
board-pfif-not-pfif = السطر { $line }: العنصر { $element } ليس من PFIF 1.4.
board-pfif-missing = السطر { $line }: العنصر { $element } مفقود أو فارغ.
board-pfif-value = السطر { $line }: قيمة العنصر { $element } لا يمكن قراءتها.
