"""The pages' own words in Persian and English, each once (the domain's reasons are in gis/errors.py's
catalogue). The tables hold key → (Persian, English); `words` gives a page the ones of its language."""

# The error page's heading and advice, by HTTP status.
ERROR_PAGE: dict[int, dict[str, tuple[str, str]]] = {
    400: {
        "fa": ("درخواست نادرست است", "نشانی یا فرم را بررسی کنید و دوباره بفرستید."),
        "en": ("The request is not valid", "Check the address or the form and send it again."),
    },
    401: {
        "fa": ("نخست وارد شوید", "این صفحه تنها برای کاربران واردشده است."),
        "en": ("Sign in first", "This page is for signed-in users only."),
    },
    403: {
        "fa": ("دسترسی ندارید", "حساب شما اجازهٔ دیدن این صفحه را ندارد."),
        "en": ("Not allowed", "Your account may not see this page."),
    },
    404: {
        "fa": ("صفحه پیدا نشد", "این نشانی در سامانه نیست."),
        "en": ("Page not found", "There is no such address in Safemap."),
    },
    409: {
        "fa": ("ناسازگاری", "داده‌ها در این میان تغییر کرده‌اند؛ صفحه را دوباره باز کنید."),
        "en": ("Conflict", "The data changed meanwhile; open the page again."),
    },
    500: {
        "fa": ("خطای سامانه", "خطایی پیش‌بینی‌نشده رخ داد و ثبت شد."),
        "en": ("Server error", "An unexpected error happened; it has been logged."),
    },
    503: {
        "fa": ("سامانه در دسترس نیست", "پایگاه داده پاسخ نمی‌دهد؛ چند دقیقهٔ دیگر دوباره بکوشید."),
        "en": ("Safemap is unavailable", "The database does not answer; try again in a few minutes."),
    },
}

PAGE: dict[str, dict[str, str]] = {
    "fa": {"title": "سامانهٔ فضاهای بی‌دفاع", "home": "بازگشت به نقشه", "invalid": "درخواست نادرست است"},
    "en": {"title": "Safemap", "home": "Back to the map", "invalid": "the request is not valid"},
}


# Every word the pages show, once: "page.key" → (Persian, English). The pages: field (the tablet page's
# script, api/static/field/field.js, as `M`; its labels live in the template), map (the map page and its
# script, api/static/map/mapview.js, as `text`), area_level (the map's area layers) and dashboard (its
# charts). The longer ones come first, split over lines.
WORDS: dict[str, tuple[str, str]] = {
    "field.saved_offline": (
        "ذخیره شد؛ با برقراری اتصال ارسال می‌شود",
        "Saved; it will be sent when the connection returns",
    ),
    "field.sign_in_again": (
        "نشست شما تمام شده؛ دوباره وارد شوید. موارد صف حفظ می‌شوند.",
        "Your session ended; sign in again. Queued items are kept.",
    ),
    "field.need_point": (
        "مکان را با GPS یا با لمس نقشه مشخص کنید",
        "Set the place by GPS or by tapping the map",
    ),
    "field.discard_confirm": (
        "این مورد برای همیشه از صف حذف شود؟",
        "Remove this item from the queue for good?",
    ),
    "dashboard.audit_chart": (
        "میانگین امتیاز ممیزی ایمنی فضاهای رفع‌شده",
        "Mean safety-audit score of resolved spots",
    ),
    "field.queued": ("در صف ارسال", "queued"),
    "field.sent": ("ارسال شد", "sent"),
    "field.report": ("گزارش", "Report"),
    "field.photo": ("عکس", "Photo"),
    "field.spot": ("لکه", "spot"),
    "field.saved": ("ذخیره شد و در حال ارسال است", "Saved and being sent"),
    "field.need_category": ("نوع مکان را انتخاب کنید", "Choose what kind of place it is"),
    "field.outside": ("این نقطه در محله‌های شما نیست", "This point is not in your neighbourhoods"),
    "field.gps_wait": ("در حال یافتن موقعیت…", "Finding your position…"),
    "field.gps_failed": ("موقعیت یافت نشد؛ روی نقشه لمس کنید", "No position; tap the map instead"),
    "field.network": ("اتصال برقرار نیست", "No connection"),
    "field.online": ("برخط", "online"),
    "field.offline": ("بدون اتصال", "offline"),
    "field.photo_failed": ("عکس خوانده نشد", "The photo could not be read"),
    "field.focus_group": ("جلسهٔ گروه کانونی", "Focus group session"),
    "field.points": ("نقطه", "points"),
    "field.need_points": ("دست‌کم یک نقطه بیفزایید", "Add at least one point"),
    "field.required": ("این مورد لازم است", "Required"),
    "field.need_number": ("یک عدد صحیح وارد کنید", "Enter a whole number"),
    "field.remove": ("حذف", "Remove"),
    "map.title": ("نقشهٔ فضاهای بی‌دفاع شهری — منطقهٔ ۲۲", "Unsafe urban spaces — District 22"),
    "map.filters": ("پالایش", "Filters"),
    "map.all": ("همه", "All"),
    "map.neighbourhood": ("محله", "Neighbourhood"),
    "map.source": ("منبع گزارش", "Report source"),
    "map.time_of_day": ("زمان روز", "Time of day"),
    "map.since": ("از تاریخ", "From"),
    "map.until": ("تا تاریخ", "To"),
    "map.date_hint": ("۱۴۰۵/۰۱/۰۱", "2026-03-21 or ۱۴۰۵/۰۱/۰۱"),
    "map.legend": ("راهنما", "Legend"),
    "map.stage": ("مرحله", "Stage"),
    "map.categories": ("نوع فضا", "Kind of place"),
    "map.heat": ("نقشهٔ حرارتی گزارش‌ها", "Heatmap of reports"),
    "map.spots": ("نقطه", "spots"),
    "map.zoom_in": ("برای دیدن نقطه‌ها بزرگ‌نمایی کنید", "zoom in to see the spots"),
    "map.category": ("نوع", "Kind"),
    "map.reports": ("تعداد گزارش", "Reports"),
    "map.sources": ("منابع", "Sources"),
    "map.last_event": ("آخرین رویداد", "Last event"),
    "map.open_page": ("صفحهٔ نقطه و سابقه", "Spot page and history"),
    "map.loading": ("در حال بارگذاری…", "Loading…"),
    "map.other_lang": ("English", "فارسی"),
    "map.other_lang_code": ("en", "fa"),
    "map.error": ("خطا", "Error"),
    "map.analysis": ("تحلیل", "Analysis"),
    "map.density": ("تراکم نقاط (محله‌ها)", "Spot density (neighbourhoods)"),
    "map.hotspots": ("کانون‌های داغ (Gi*)", "Hotspots (Gi*)"),
    "map.spot_count": ("تعداد نقطه", "Spots"),
    "map.open_spots": ("نقطه‌های باز", "Open spots"),
    "map.area_km2": ("مساحت (کیلومتر مربع)", "Area (km²)"),
    "map.per_km2": ("نقطه در هر کیلومتر مربع", "Spots per km²"),
    "map.population": ("جمعیت", "Population"),
    "map.per_1000": ("نقطه در هر ۱۰۰۰ نفر", "Spots per 1,000 residents"),
    "map.hot": ("کانون داغ (معنادار در ۹۵٪)", "Hot spot (significant at 95%)"),
    "map.cold": ("کانون سرد (معنادار در ۹۵٪)", "Cold spot (significant at 95%)"),
    "map.cell_count": ("نقطه در خانه", "Spots in the cell"),
    "map.z_score": ("امتیاز z", "z-score"),
    "map.p_value": ("مقدار p", "p-value"),
    "map.kde": ("تراکم کرنلی (در کیلومتر مربع)", "Kernel density (per km²)"),
    "area_level.district": ("منطقه", "District"),
    "area_level.sub_district": ("ناحیه‌ها", "Sub-districts"),
    "area_level.neighbourhood": ("محله‌ها", "Neighbourhoods"),
    "dashboard.stage_number": ("مرحلهٔ {number}", "Stage {number}"),
    "dashboard.resolved": ("رفع‌شده", "Resolved"),
    "dashboard.before": ("پیش از اقدام", "Before"),
    "dashboard.after": ("پس از اقدام", "After"),
    "dashboard.stages_chart": ("فضاها به تفکیک مرحله در هر محله", "Spots per stage in each neighbourhood"),
    "dashboard.funnel_chart": ("قیف مراحل در طول زمان", "Stage funnel over time"),
    "dashboard.overdue_chart": ("اقدامات معوق به تفکیک دستگاه", "Overdue actions by agency"),
    "dashboard.median_chart": ("میانهٔ روزهای ماندن در هر مرحله", "Median days in each stage"),
    "nav.brand": ("فضاهای بی‌دفاع", "Safemap"),
    "nav.map": ("نقشه", "Map"),
    "nav.work": ("کارهای من", "My work"),
    "nav.field": ("میدانی", "Field"),
    "nav.dashboard": ("داشبورد", "Dashboard"),
    "nav.sign_out": ("خروج", "Sign out"),
    "nav.sign_in": ("ورود", "Sign in"),
    "work.office_title": ("نقطه‌های در انتظار تصمیم دفتر GIS", "Spots waiting for the GIS office"),
    "work.actions_title": ("اقدامات دستگاه", "Your agency's actions"),
    "work.needs": ("نیاز به", "Needs"),
    "work.need_verify": ("بررسی و تأیید", "verifying"),
    "work.need_place": ("تأیید مکان", "placing"),
    "work.need_duplicate": ("احتمال تکراری", "possible duplicate"),
    "work.title": ("عنوان", "Title"),
    "work.reports": ("گزارش", "Reports"),
    "work.priority": ("اولویت", "Priority"),
    "work.count": ("{shown} از {total} نقطه", "{shown} of {total} spots"),
    "work.none": ("موردی نیست", "Nothing here"),
    "work.spot": ("نقطه", "Spot"),
    "work.what": ("اقدام", "Action"),
    "work.due": ("مهلت", "Due"),
    "work.status": ("وضعیت", "Status"),
    "work.overdue": ("معوق", "overdue"),
    "work.note": ("یادداشت", "Note"),
    "work.start": ("در حال انجام", "Mark in progress"),
    "work.done": ("انجام شد", "Mark done"),
    "work.need_note": ("یادداشتی بنویسید", "Write a note"),
    "work.saved": ("ثبت شد", "Saved"),
    "work.status_assigned": ("واگذارشده", "assigned"),
    "work.status_in_progress": ("در حال انجام", "in progress"),
    "work.status_done": ("انجام‌شده", "done"),
    "work.status_cancelled": ("لغوشده", "cancelled"),
    "work.failed": ("ثبت نشد", "Not saved"),
    "work.add_photo": ("عکس کار (اختیاری)", "Photo of the work (optional)"),
    "work.photo_of_work": ("عکس کار", "Photo of the work"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Persian or the English of a (Persian, English) pair."""
    return pair[1] if lang == "en" else pair[0]


def words(page: str, lang: str) -> dict[str, str]:
    """A page's words by their keys, in the page's language (Persian unless `lang` is en)."""
    prefix = f"{page}."
    return {
        key.removeprefix(prefix): pick(pair, lang) for key, pair in WORDS.items() if key.startswith(prefix)
    }
