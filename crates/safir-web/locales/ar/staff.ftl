## staff

staff-title = مساحة عمل الموظفين
staff-heading = بعثاتي
staff-no-missions = لم تُسنَد إليك أي بعثة بعد.
staff-missions-count = { PLURAL($count) ->
    [zero] لا تعمل مع أي بعثة.
    [one] تعمل مع بعثة واحدة.
    [two] تعمل مع بعثتين.
    [few] تعمل مع { $count } بعثات.
    [many] تعمل مع { $count } بعثة.
   *[other] تعمل مع { $count } بعثة.
}
staff-crisis-heading = الاستجابة للأزمات
list-separator = {"، "}

## Names shared by the staff and admin pages

role-admin = مسؤول النظام
role-head-of-mission = رئيس البعثة
role-consular-officer = موظف قنصلي
role-press-officer = مسؤول إعلامي
role-analyst = محلل
mission-kind-headquarters = المقر الرئيسي
mission-kind-embassy = سفارة
mission-kind-consulate = قنصلية
mission-kind-permanent-mission = بعثة دائمة
content-language-ar = العربية
content-language-en = الإنجليزية
content-language-fr = الفرنسية
mission-field-code = الرمز
mission-field-kind = النوع
mission-field-name-ar = الاسم بالعربية
mission-field-name-en = الاسم بالإنجليزية
mission-field-other-name = الاسم باللغة الأخرى
mission-field-country = الدولة
mission-field-city = المدينة
mission-field-city-ar = المدينة بالعربية
mission-field-city-en = المدينة بالإنجليزية
mission-field-languages = لغات العمل
mission-field-time-zone = المنطقة الزمنية
mission-field-email = البريد الإلكتروني
mission-field-phone = الهاتف
mission-field-address = العنوان
user-field-name = الاسم
user-field-email = البريد الإلكتروني
user-field-roles = الأدوار
user-disabled = معطَّل
jobs-state-queued = في الانتظار
jobs-state-running = قيد التنفيذ
jobs-state-done = مكتملة
jobs-state-dead = فشلت نهائيًا

## Mission dashboard

dashboard-title = لوحة المتابعة
dashboard-mission-card = عن البعثة
dashboard-panel-staff = الفريق
dashboard-staff-count = الموظفون النشطون
dashboard-panel-jobs = المهام الخلفية (الوزارة كلها)
dashboard-jobs-link = مراجعة المهام الفاشلة
dashboard-staff-heading = الموظفون وأدوارهم
dashboard-no-staff = لا يشغل أحد دورًا في هذه البعثة بعد.
