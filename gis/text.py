"""Persian text as users type it: Arabic ي/ك, Persian and Arabic-Indic digits, the Persian decimal separator."""

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def normalise_persian(text: str) -> str:
    """Arabic letter forms to Persian (ي→ی, ك→ک), so the same word always matches itself."""
    return text.translate(_LETTERS)


def latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; the Persian decimal separator (٫) and comma (،) too."""
    return text.translate(_DIGITS).replace("٫", ".").replace("٬", "").replace("،", ",")


def persian_digits(value: object) -> str:
    """Digits for Persian pages: 1403 → ۱۴۰۳ (the decimal point becomes ٫)."""
    return str(value).translate(_TO_PERSIAN).replace(".", "٫")
