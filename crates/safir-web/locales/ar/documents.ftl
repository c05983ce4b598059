# الخدمات القنصلية: المستندات (الرفع وفحص الفيروسات والتنزيل)
documents-title = مستنداتي
documents-heading = مستنداتي
documents-upload-heading = رفع مستند
documents-upload-hint = JPEG أو PNG أو PDF. الصور الشخصية: JPEG أو PNG، بدقة 600 × 600 بكسل على الأقل، بمقاس صورة الجواز (35 × 45) أو مربعة. تُحفظ الصور والمسوح من جديد دون بياناتها المخفية (كالموقع).
documents-field-kind = نوع المستند
documents-field-kind-choose = اختر…
documents-field-file = الملف
documents-upload-submit = رفع
documents-uploaded = رُفع مستندك.
documents-deleted = حُذف المستند.
documents-delete = حذف
documents-col-actions = إجراءات
documents-list-heading = المستندات المرفوعة
documents-none = لم ترفع أي مستند بعد.
documents-case-none = لا مستند في هذا الطلب بعد.
documents-col-name = الملف
documents-col-kind = النوع
documents-col-type = الصيغة
documents-col-size = الحجم
documents-size-kb = { $size } كيلوبايت
documents-size-mb = { $size } ميغابايت
documents-type-image = صورة { $format }
documents-type-document = مستند { $format }
documents-col-uploaded = تاريخ الرفع
documents-col-scan = فحص الفيروسات
documents-scanner-off = لا تُفحص الملفات المرفوعة بحثًا عن الفيروسات على هذا الخادم.
documents-scan-not-scanned = لم يُفحص بحثًا عن الفيروسات
documents-scan-clean = فُحص: لا فيروسات
documents-scan-infected = مصاب: لا يُفتح
documents-scan-failed = تعذّر فحص الفيروسات؛ سيراجع موظف الملف
documents-kind-photo = صورة شخصية
documents-photo-alt = الصورة الشخصية المرفقة بالطلب
documents-kind-passport-scan = مسح ضوئي للجواز
documents-kind-supporting = مستند داعم
documents-kind-invitation = خطاب دعوة
documents-kind-decision = قرار
documents-kind-other = أخرى
field-error-document-empty = الملف فارغ.
field-error-document-too-large = { PLURAL($max) ->
    [zero] الملف أكبر من الحد المسموح.
    [one] الملف أكبر من ميغابايت واحد.
    [two] الملف أكبر من ميغابايتين.
    [few] الملف أكبر من { $max } ميغابايتات.
    [many] الملف أكبر من { $max } ميغابايت.
   *[other] الملف أكبر من { $max } ميغابايت.
}
field-error-document-type-not-allowed = هذا النوع من الملفات غير مقبول هنا. استخدم JPEG أو PNG أو PDF (الصور الشخصية: JPEG أو PNG).
field-error-document-unreadable = تعذّرت قراءة الملف. ربما يكون تالفًا؛ احفظه من جديد وأعد المحاولة.
field-error-document-image-too-large = الصورة كبيرة جدًا: 10000 بكسل على الأكثر لكل ضلع و40 ميغابكسل.
field-error-document-image-too-much-data = تحمل الصورة بيانات أكثر مما يمكن معالجته (ألوان 16 بت أو قناة شفافية بهذا الحجم). احفظها بصيغة JPEG أو PNG عادية 8 بت، أو صغّرها.
field-error-document-infected = وجد فحص الفيروسات تهديدًا في هذا الملف، ولم يُحفظ.
field-error-document-quota-documents = { PLURAL($max) ->
    [zero] بلغ حسابك الحد الأقصى من المستندات. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [one] يضم حسابك مستندًا واحدًا، وهو الحد الأقصى المسموح به. احذفه من «مستنداتي» إن لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [two] يضم حسابك مستندين، وهما الحد الأقصى المسموح به. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [few] يضم حسابك { $max } مستندات، وهي الحد الأقصى المسموح به. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [many] يضم حسابك { $max } مستندًا، وهو الحد الأقصى المسموح به. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
   *[other] يضم حسابك { $max } مستند، وهو الحد الأقصى المسموح به. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
}
field-error-document-quota-size = { PLURAL($max) ->
    [zero] ستتجاوز مستنداتك الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [one] ستتجاوز مستنداتك ميغابايت واحدًا، وهو الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [two] ستتجاوز مستنداتك ميغابايتين، وهما الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [few] ستتجاوز مستنداتك { $max } ميغابايتات، وهي الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
    [many] ستتجاوز مستنداتك { $max } ميغابايت، وهو الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
   *[other] ستتجاوز مستنداتك { $max } ميغابايت، وهو الحجم الأقصى المسموح به لحسابك. احذف من «مستنداتي» مستندًا لم تعد تحتاج إليه، ثم ارفع هذا الملف من جديد.
}
field-error-document-kind-unknown = اختر نوع المستند من القائمة.
field-error-photo-too-small = الصورة صغيرة جدًا: يجب ألا تقل عن 600 × 600 بكسل.
field-error-photo-too-large = الصورة كبيرة جدًا: 6000 بكسل على الأكثر لكل ضلع.
field-error-photo-aspect-invalid = يجب أن تكون الصورة بمقاس صورة الجواز (35 عرضًا و45 ارتفاعًا) أو مربعة.
field-error-upload-too-many-files = عدد الملفات في النموذج الواحد أكبر من المسموح.
