"""The pages' own words in Persian and English (the domain's reasons are in gis/errors.py's catalogue)."""

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
