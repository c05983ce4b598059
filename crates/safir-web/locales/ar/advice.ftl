## نصائح السفر: الصفحات العامة والخلاصات

advice-title = نصائح السفر
advice-lead = نصائح الوزارة للمسافرين، بلدًا بلدًا. اطّلع عليها قبل سفرك وأثناء وجودك في الخارج.
advice-search-label = البلد
advice-filter-level = المستوى
advice-filter-any = كل المستويات
advice-filter-submit = بحث
advice-none = لم تُنشر أي نصائح سفر بعد.
advice-empty = لا يوجد بلد يطابق هذا البحث.
advice-countries-count = { PLURAL($count) ->
    [zero] لا توجد دول
    [one] دولة واحدة
    [two] دولتان
    [few] { $count } دول
    [many] { $count } دولة
   *[other] { $count } دولة
}
advice-col-country = البلد
advice-col-level = المستوى
advice-col-summary = الملخص
advice-last-updated = آخر تحديث
advice-level-number = المستوى { $count }
advice-level-1 = اتخذ الاحتياطات المعتادة
advice-level-2 = توخَّ مزيدًا من الحذر
advice-level-3 = أعد النظر في السفر
advice-level-4 = لا تسافر
advice-section-safety-and-security = السلامة والأمن
advice-section-entry-requirements = شروط الدخول
advice-section-health = الصحة
advice-section-local-laws = القوانين والعادات المحلية
advice-latest-change = آخر تغيير
advice-history-title = سجل التغييرات
advice-version = الإصدار { $count }
advice-feed-link = تابع تغييرات هذه النصيحة (خلاصة Atom)
advice-feed-all = تابع التغييرات لكل البلدان (خلاصة Atom)
advice-feed-all-title = نصائح السفر: كل البلدان
advice-feed-author = الخدمات القنصلية

## نصائح السفر: التحرير (الوزارة)

admin-travel-advice-title = نصائح السفر
admin-travel-advice-description = نشر النصيحة الخاصة بكل بلد؛ تُحفظ كل الإصدارات المنشورة.
advice-admin-empty = لا توجد نصيحة لأي بلد بعد.
advice-admin-choose-country = البلد
advice-admin-open = كتابة النصيحة أو تحديثها
advice-admin-version = الإصدار
advice-admin-published = نُشرت النصيحة الخاصة بـ{ $name }.
advice-admin-level-changed = تغيّر المستوى: سيُبلَّغ متابعو هذا البلد.
advice-admin-current = الإصدار النافذ: { $count }
advice-admin-first = لا توجد نصيحة لهذا البلد بعد: سيكون هذا إصدارها الأول.
advice-admin-arabic = النص العربي
advice-admin-english = النص الإنجليزي
advice-admin-publish = نشر
advice-admin-view-public = عرض النصيحة المنشورة
advice-admin-conflict = نشر شخص آخر إصدارًا أحدث أثناء تحريرك. اقرأه، وعدّل نصك إن لزم، ثم انشر مرة أخرى.
advice-field-level = المستوى
advice-hint-level = يُعلَن تغيير المستوى لكل من يتابع هذا البلد.
advice-field-summary = الملخص
advice-hint-summary = فقرة واحدة تظهر في قائمة البلدان وفي أعلى الصفحة.
advice-hint-section = اختياري. كل سطر فقرة.
advice-field-change = ملخص هذا التغيير
advice-hint-change = جملة واحدة عمّا تغيّر، تظهر في السجل وفي الخلاصة.
field-error-advice-level-unknown = اختر مستوى من 1 إلى 4.
