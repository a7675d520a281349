"""The domain's error family and the one catalogue of its messages in Persian and English. No HTTP here:
api/ maps each class to a status code and picks the language."""

LANGUAGES = ("fa", "en")

# Every reason and message a user can read: key → (Persian, English); {name} placeholders are filled from the
# raise's params. One line each where it fits; the longer sentences, split over lines, follow the short ones.
MESSAGES: dict[str, tuple[str, str]] = {
    "database_busy": ("پایگاه داده پرکار است؛ دوباره بکوشید", "the database is busy; try again"),
    "database_unreachable": ("پایگاه داده در دسترس نیست", "the database is not reachable"),
    "invalid_or_empty_geometry": ("هندسهٔ نامعتبر یا خالی", "invalid or empty geometry"),
    "stage_must_be_1_to_4": ("مرحله باید ۱، ۲، ۳ یا ۴ باشد", "stage must be 1, 2, 3 or 4"),
    "unknown_category_code": ("دستهٔ ناشناخته", "unknown category"),
    "unknown_source": ("منبع ناشناخته", "unknown source"),
    "unknown_area_level": ("سطح ناشناختهٔ محدوده", "unknown area level"),
    "area_code_taken": ("محدوده‌ای با این کد پیش‌تر هست", "an area with this code already exists"),
    "user_name_taken": ("این نام کاربری پیش‌تر گرفته شده است", "this user name is taken"),
    "user_name_characters": ("۲ تا ۶۴ نویسه از a-z، 0-9، _ . -", "2–64 characters of a-z, 0-9, _ . -"),
    "unknown_role": ("نقش ناشناخته", "unknown role"),
    "photo_type": ("عکس باید تصویر JPEG، PNG یا WebP باشد", "a photo must be a JPEG, PNG or WebP image"),
    "photo_size": ("عکس باید ۱ بایت تا ۲ مگابایت باشد", "a photo must be 1 byte to 2 MB"),
    "phase_reversed": ("پایان این مرحله پیش از آغاز آن است", "the phase ends before it starts"),
    "violates_database_rule": ("با قاعده‌ای از پایگاه داده نمی‌خواند", "violates a rule of the database"),
    "database_refused_value": ("مقدار نامعتبر ({reason})", "{reason}"),
    "no_areas_loaded": ("هنوز هیچ محدوده‌ای بارگذاری نشده است", "no areas loaded yet"),
    "same_as_row": ("همانند سطر {row}", "same as row {row}"),
    "already_imported": ("پیش‌تر وارد شده است", "already imported"),
    "no_such_import_job": ("کار ورود {job_id} نیست", "no import job {job_id}"),
    "no_rejected_rows": ("این ورود سطر ردشده‌ای ندارد", "no rejected rows for this import"),
    "header_row_beyond_file": ("فایل سطر {row} ندارد", "the file has no row {row}"),
    "import_batch_not_withdrawn": (
        "دستهٔ ورود {batch_id} برداشته نشده است",
        "import batch {batch_id} is not withdrawn",
    ),
    "import_batch_withdrawn": (
        "دستهٔ ورود {batch_id} پیش‌تر برداشته شده است",
        "import batch {batch_id} is already withdrawn",
    ),
    "date_before_programme": (
        "{value} پیش از آغاز برنامه ({start}) است",
        "{value} is before the programme began ({start})",
    ),
    "flag_neighbourhood_conflict": (
        "محلهٔ نوشته‌شده «{named}» ({code}) است ولی مختصات در محلهٔ {located} است",
        "the row names neighbourhood {named!r} ({code}) but its coordinates fall in {located}",
    ),
    "flag_two_digit_year": (
        "سال دورقمی {value} به‌صورت {read_as} خوانده شد",
        "two-digit year {value} read as {read_as}",
    ),
    "flag_same_file": (
        "همین فایل پیش‌تر با شمارهٔ نامهٔ «{ref}» وارد شده است (دستهٔ {batch})",
        "the same file was imported before under letter {ref!r} (batch {batch})",
    ),
    "one_of": ("باید یکی از این‌ها باشد: {choices}", "must be one of {choices}"),
    "at_least_characters": ("دست‌کم {min_password} نویسه", "at least {min_password} characters"),
    "no_such_user": ("کاربری با نام {username!r} نیست", "no user {username!r}"),
    "username_taken": ("نام کاربری {username!r} پیش‌تر گرفته شده است", "username: {username!r} is taken"),
    "wrong_user_name_password": ("نام کاربری یا گذرواژه نادرست است", "wrong user name or password"),
    "unknown_agency": ("دستگاه ناشناخته {agency!r}", "unknown agency {agency!r}"),
    "no_neighbourhood_with_code": ("محله‌ای با کد {code!r} نیست", "no neighbourhood with code {code!r}"),
    "path_missing": ("{path} وجود ندارد", "{path} does not exist"),
    "area_area_with_code": ("محدوده‌ای با کد {code!r} نیست", "area: no area with code {code!r}"),
    "empty_geometry": ("هندسهٔ خالی", "empty geometry"),
    "not_a_polygon": ("{geom_type} چندضلعی نیست", "{geom_type} is not a polygon"),
    "empty_name": ("نام خالی", "empty name"),
    "invalid_polygon": ("چندضلعی نامعتبر ({reason})", "invalid polygon ({reason})"),
    "at_most_4000_characters": ("حداکثر ۴۰۰۰ نویسه", "at most 4000 characters"),
    "report_does_exist": ("گزارش {report_id} وجود ندارد", "report {report_id} does not exist"),
    "between_0_and_5000_metres": ("بین ۰ و ۵۰۰۰ متر", "between 0 and 5000 metres"),
    "spot_cannot_merged_into_itself": ("یک فضا در خودش ادغام نمی‌شود", "a spot cannot be merged into itself"),
    "spot_does_exist": ("فضای {spot_id} وجود ندارد", "spot {spot_id} does not exist"),
    "spot_merged": ("فضای {spot_id} ادغام نشده است", "spot {spot_id} is not merged"),
    "between_0_and_1000_metres": ("بین ۰ و ۱۰۰۰ متر", "between 0 and 1000 metres"),
    "interval_needs_at_least_one": ("بازه دست‌کم یک سر لازم دارد", "an interval needs at least one end"),
    "interval_s_start_after_end": ("آغاز بازه پس از پایان آن است", "the interval's start is after its end"),
    "spots_or_reports": ("باید spots یا reports باشد", "must be spots or reports"),
    "between_0_and_half": ("باید بین ۰ و ۰٫۵ باشد", "must be between 0 and 0.5"),
    "between_0_9999": ("باید ۰ تا ۹۹۹۹ باشد", "must be 0–9999"),
    "zoom_out_of_range": ("بزرگنمایی باید ۰ تا {max_zoom} باشد", "zoom must be 0–{max_zoom}"),
    "among_layers": ("باید از میان این‌ها باشد: {layers}", "must be among {layers}"),
    "tile_out_of_range": ("در بزرگنمایی {z} باید ۰ تا {max_xy} باشد", "must be 0–{max_xy} at zoom {z}"),
    # Base maps, street layers and address search (gis/publish/basemaps.py, gis/places/).
    "basemap_file_kind": (
        "{path} پروندهٔ نقشهٔ پایه نیست: پرونده‌ای ‎.mbtiles، ‎.pmtiles یا GeoTIFF (‎.tif) بدهید",
        "{path} is not a base map file: give an .mbtiles, .pmtiles or GeoTIFF (.tif) file",
    ),
    "basemap_unreadable": (
        "{path} به‌عنوان {kind} خوانده نشد: {reason}",
        "{path} cannot be read as {kind}: {reason}",
    ),
    "basemap_tile_format": (
        "کاشی‌های {path} از نوع {format} است: تنها PNG، JPEG، WebP یا کاشی برداری (MVT)",
        "{path} holds {format} tiles: only PNG, JPEG, WebP or vector (MVT) tiles",
    ),
    "basemap_no_tiles": ("{path} هیچ کاشی‌ای ندارد", "{path} holds no tiles"),
    "geotiff_no_crs": (
        "{path} دستگاه مختصات مرجع ندارد: نخست آن را زمین‌مرجع کنید",
        "{path} has no coordinate reference system: georeference it first",
    ),
    "basemap_name_characters": (
        "{name!r}: ۱ تا ۶۳ نویسه از a-z، 0-9، - و _ که با حرف یا رقم آغاز شود",
        "{name!r}: 1–63 characters of a-z, 0-9, - and _, starting with a letter or a digit",
    ),
    "basemap_name_taken": (
        "نقشهٔ پایه‌ای به نام {name!r} هست: نخست آن را بردارید یا نام دیگری برگزینید",
        "a base map named {name!r} exists: remove it first or choose another name",
    ),
    "no_such_basemap": ("نقشهٔ پایه‌ای به نام {name!r} نیست", "no base map named {name!r}"),
    "no_such_style": (
        "سبکی به نام {style!r} برای این لایه نیست (سبک‌ها: {styles})",
        "this collection has no style {style!r} (styles: {styles})",
    ),
    "streets_name_column": (
        "ستون نام خیابان پیدا نشد؛ آن را با ‎--name-column نام ببرید (ستون‌ها: {columns})",
        "no column of street names; name it with --name-column (columns: {columns})",
    ),
    "streets_not_a_line": (
        "{geom_type} خط نیست: لایهٔ خیابان‌ها باید خط باشد",
        "{geom_type} is not a line: a street layer holds lines",
    ),
    "required": ("الزامی است", "is required"),
    "at_most_n_characters": ("حداکثر {limit} نویسه", "at most {limit} characters"),
    "cannot_future": ("نمی‌تواند در آینده باشد", "cannot be in the future"),
    "spot_in_status": ("فضای {spot_id} در وضعیت {status} است", "spot {spot_id} is {status}"),
    "action_does_exist": ("اقدام {action_id} وجود ندارد", "action {action_id} does not exist"),
    "action_already": ("اقدام {action_id} پیش‌تر {current} است", "action {action_id} is already {current}"),
    "active_agency": ("{agency!r} دستگاه فعالی نیست", "{agency!r} is not an active agency"),
    "unknown_agencies": ("دستگاه ناشناخته {unknown}", "unknown agency {unknown}"),
    "unknown_category": ("دستهٔ ناشناخته {category!r}", "unknown category {category!r}"),
    "no_such_agency": ("دستگاهی با کد {code!r} نیست", "no agency {code!r}"),
    "cannot_negative": ("نمی‌تواند منفی باشد", "cannot be negative"),
    "date_missing": ("تاریخ الزامی است", "a date is required"),
    "stage_1_to_4": ("باید ۱، ۲، ۳ یا ۴ باشد", "must be 1, 2, 3 or 4"),
    "no_such_phase": ("مرحلهٔ برنامه‌ای با شمارهٔ {phase_id} نیست", "no phase {phase_id}"),
    "unknown_codes": ("{what} ناشناخته: {unknown}", "unknown {what} {unknown}"),
    "open_resolved_rejected": ("باید open، resolved یا rejected باشد", "must be open, resolved or rejected"),
    "limit_between": ("باید بین ۱ و {max_limit} باشد", "must be between 1 and {max_limit}"),
    "zero_or_more": ("باید ۰ یا بیشتر باشد", "must be 0 or more"),
    "not_a_stage": ("{value!r} مرحله نیست (۱، ۲، ۳ یا ۴)", "{value!r} is not a stage (1, 2, 3 or 4)"),
    "not_a_whole_number": ("{value!r} عدد درست نیست", "{value!r} is not a whole number"),
    "facilitator_s_name_required": ("نام تسهیلگر الزامی است", "the facilitator's name is required"),
    "at_least_one_participant": ("دست‌کم یک شرکت‌کننده", "at least one participant"),
    "geojson_feature": ("Feature در قالب GeoJSON نیست", "not a GeoJSON Feature"),
    "feature_has_geometry": ("این عارضه هندسه ندارد", "the feature has no geometry"),
    "feature_has_geometry_or_address": (
        "مکان نه روی نقشه گذاشته شده است و نه نشانی دارد",
        "the place is neither put on the map nor given an address",
    ),
    "must_be_object": ("باید یک شیء باشد", "must be an object"),
    "missing": ("نیامده است", "missing"),
    "not_a_uuid": ("UUID نیست", "not a UUID"),
    "uuid_used_elsewhere": ("این UUID از آنِ رکورد دیگری است", "this UUID belongs to another record"),
    "not_geojson": ("{path_name} GeoJSON نیست ({exc})", "{path_name} is not GeoJSON ({exc})"),
    "object_criterion_score": ("شیئی از «معیار: امتیاز»", "an object of criterion: score"),
    "not_a_number": ("{value!r} عدد نیست", "{value!r} is not a number"),
    "empty": ("خالی است", "empty"),
    "unknown_category_in_row": ("دستهٔ ناشناخته {raw_category!r}", "unknown category {raw_category!r}"),
    "missing_other_one_given": ("نیامده است (دیگری آمده است)", "missing (the other one is given)"),
    "value_in_future": ("{value} در آینده است", "{value} is in the future"),
    "coordinates_neighbourhood": ("نه مختصات دارد و نه محله", "no coordinates and no neighbourhood"),
    "unknown_neighbourhood": ("محلهٔ ناشناخته {named!r}", "unknown neighbourhood {named!r}"),
    "report_with_uuid": ("گزارشی با UUID {report_uuid} نیست", "no report with UUID {report_uuid}"),
    "file_empty": ("پرونده خالی است", "the file is empty"),
    "jpeg_png_webp_image": ("تصویر JPEG، PNG یا WebP نیست", "not a JPEG, PNG or WebP image"),
    "api_key_unknown_key": ("کلید API (api_key) ناشناخته است", "api_key: unknown key"),
    "not_an_email": ("{email!r} نشانی رایانامه نیست", "{email!r} is not an email address"),
    "required_see_services_json": ("الزامی است (services.json را ببینید)", "required (see services.json)"),
    "http_s_url": ("یک نشانی http(s)", "an http(s) URL"),
    "give_both_lat_long": ("هر دو lat و long را بدهید", "give both lat and long"),
    "at_most_200_characters": ("حداکثر ۲۰۰ نویسه", "at most 200 characters"),
    "open_closed": ("open یا closed", "open or closed"),
    "not_a_request_id": ("{part!r} شناسهٔ درخواست نیست", "{part!r} is not a request id"),
    "no_such_service": ("خدمت ناشناخته {unknown}", "no service {unknown}"),
    "day_evening_night": ("باید روز، عصر یا شب (day، evening، night) باشد", "must be day, evening or night"),
    "not_a_score": ("{value!r} امتیاز ۰، ۱، ۲ یا ۳ نیست", "{value!r} is not a score 0, 1, 2 or 3"),
    "invalid_geometry": ("هندسهٔ نامعتبر ({reason})", "invalid geometry ({reason})"),
    "self_intersection": (
        "مرز این محدوده خودش را قطع می‌کند (نزدیک {at})؛ گوشه‌ها را به ترتیب دور آن بگذارید",
        "the outline crosses itself (near {at}); place the corners in order around it",
    ),
    "offline_too_large": (
        "آماده‌سازی برای کار بی‌اینترنت {size} مگابایت است و از حد {limit} مگابایت بیشتر است؛"
        " نقشهٔ پایهٔ کوچک‌تری برگزینید یا از مدیر سامانه بخواهید حد را بالا ببرد",
        "preparing for offline use takes {size} MB, over the limit of {limit} MB; choose a smaller base map"
        " or ask the administrator to raise the limit",
    ),
    "point_line_polygon": ("{kind} نقطه، خط یا چندضلعی نیست", "{kind} is not a point, line or polygon"),
    "no_area_with_code": ("محله‌ای با کد {area_code!r} نیست", "no neighbourhood with code {area_code!r}"),
    "no_such_import_batch": ("دستهٔ ورود {batch_id} نیست", "no import batch {batch_id}"),
    "no_letter_scan": ("دستهٔ ورود {batch_id} نامهٔ اسکن‌شده ندارد", "import batch {batch_id} has no scan"),
    "no_such_report": ("گزارش {report_id} نیست", "no report {report_id}"),
    "use_json_xml": ("{fmt!r}: از .json یا .xml استفاده کنید", "{fmt!r}: use .json or .xml"),
    "json_object_parameters": ("شیئی JSON از پارامترها", "a JSON object of parameters"),
    "valid_json": ("JSON معتبر نیست", "not valid JSON"),
    "json_html": ("باید json یا html باشد", "must be json or html"),
    "day_in_future": ("{jalali} ({day}) در آینده است", "{jalali} ({day}) is in the future"),
    "period_reversed": ("پایان بازه پیش از آغاز آن است", "the period ends before it starts"),
    "due_days_range": ("روزهای مهلت باید ۱ تا ۳۶۵ باشد", "due days must be 1–365"),
    "not_a_neighbourhood": ("{code!r} کد محله‌ای نیست", "{code!r} is not a neighbourhood code"),
    "no_such_routing_rule": ("قاعدهٔ ارجاع {rule_id} نیست", "no routing rule {rule_id}"),
    "no_such_notification": (
        "پیام {notification_id} در صندوق شما نیست",
        "no message {notification_id} in your inbox",
    ),
    "no_closed_report": ("گزارش {report_id} از نقطهٔ بسته‌شده نیست", "report {report_id} is of no closed spot"),
    "reporter_already_answered": (
        "پاسخ گزارش‌دهندهٔ گزارش {report_id} پیش‌تر ثبت شده است",
        "the reporter of report {report_id} has already answered",
    ),
    "not_a_period": (
        "{text!r} بازه نیست: سال (۱۳۹۹)، ماه (۱۳۹۹/۰۹) یا چند ماه (۱۳۹۹/۰۷..۱۳۹۹/۰۹)",
        "{text!r} is not a period: a year (1399), a month (1399/09) or months (1399/07..1399/09)",
    ),
    "request_body_too_large": ("درخواست بزرگ‌تر از {mb} مگابایت است", "the request is larger than {mb} MB"),
    "wrong_current_password": ("گذرواژهٔ کنونی نادرست است", "the current password is wrong"),
    "json_too_deep": ("JSON بیش از {depth} لایهٔ تودرتو دارد", "JSON nested deeper than {depth} levels"),
    "geometry_point_line_polygon": (
        "هندسه باید نقطه، خط یا چندضلعی باشد",
        "geometry must be a point, line or polygon",
    ),
    "audit_scores_invalid": (
        "هر امتیاز ممیزی ایمنی عددی درست از ۰ تا ۳ برای یکی از نه معیار است",
        "each safety-audit score is an integer 0–3 of the nine criteria",
    ),
    "actual_end_order": (
        "پایان واقعی، آغاز واقعی می‌خواهد و نه پیش از آن",
        "an actual end needs an actual start, and not before it",
    ),
    "import_job_finished": (
        "کار ورود {job_id} پیش‌تر پایان یافته است ({state})؛ فقط کار در صف یا در حال اجرا لغوشدنی است",
        "import job {job_id} has ended ({state}); only a queued or running job can be cancelled",
    ),
    "import_job_busy": (
        "کار ورود {job_id} را فرایند دیگری اجرا می‌کند",
        "import job {job_id} is being run by another process",
    ),
    "facilitator_needs_at_least_one": (
        "کاربر تسهیلگر دست‌کم یک محله لازم دارد (--area 2201)",
        "a facilitator needs at least one neighbourhood (--area 2201)",
    ),
    "agency_user_needs_agency_code": (
        "کاربر دستگاه، کد دستگاه لازم دارد (--agency urban_services)",
        "an agency user needs an agency code (--agency urban_services)",
    ),
    "only_agency_users_are_bound": (
        "تنها کاربران دستگاه‌ها به یک دستگاه وابسته‌اند",
        "only agency users are bound to an agency",
    ),
    "this_neighbourhood_one_yours": (
        "این محله از محله‌های شما نیست",
        "this neighbourhood is not one of yours",
    ),
    "this_needs_role_you_are": (
        "این کار نقش {roles} می‌خواهد؛ نقش شما {role} است",
        "this needs the role {roles}; you are {role}",
    ),
    "has_coordinate_reference_system": (
        "{path_name} دستگاه مختصات مرجع ندارد",
        "{path_name} has no coordinate reference system",
    ),
    "name_column_found_name_with": (
        "ستون نام پیدا نشد؛ آن را با --name-field نام ببرید (ستون‌ها: {columns})",
        "no name column found; name it with --name-field (columns: {columns})",
    ),
    "readable_gis_layer": (
        "{path_name} لایهٔ GIS خواندنی نیست ({exc})",
        "{path_name} is not a readable GIS layer ({exc})",
    ),
    "column_file_columns": (
        "ستون {given!r} در پرونده نیست (ستون‌ها: {columns})",
        "column {given!r} is not in the file (columns: {columns})",
    ),
    "neighbourhood_with_code_name": (
        "محله‌ای با کد یا نام {text!r} نیست",
        "no neighbourhood with code or name {text!r}",
    ),
    "outside_district_km_from_nearest": (
        "({lon}, {lat}) بیرون از منطقه است ({km:.1f} کیلومتر تا نزدیک‌ترین محله)",
        "({lon}, {lat}) is outside the district ({km:.1f} km from the nearest neighbourhood)",
    ),
    "longitude_latitude_pair_degrees": (
        "({lon}, {lat}) جفت طول و عرض جغرافیایی به درجه نیست",
        "({lon}, {lat}) is not a longitude/latitude pair in degrees",
    ),
    "latitude_longitude_look_swapped_inside": (
        "گویا طول و عرض جغرافیایی جابه‌جا شده‌اند: ({lat}, {lon}) درون منطقه است",
        "latitude and longitude look swapped: ({lat}, {lon}) is inside the district",
    ),
    "neighbourhoods_are_loaded_run_safemap": (
        "هیچ محله‌ای بارگذاری نشده است: `safemap demo` یا `safemap import areas` را اجرا کنید",
        "no neighbourhoods are loaded: run `safemap demo` or `safemap import areas`",
    ),
    "say_why_kept_both_spots": (
        "دلیل را بنویسید (در تاریخچهٔ هر دو فضا می‌ماند)",
        "say why (it is kept in both spots' histories)",
    ),
    "spot_reports_cannot_join": (
        "فضای {spot_id} در وضعیت {status} است: گزارشی به آن افزوده نمی‌شود",
        "spot {spot_id} is {status}: reports cannot join it",
    ),
    "spot_too_far_same_place": (
        "فضای {spot_id} {metres} متر دورتر است: همان مکان نیست",
        "spot {spot_id} is {metres} m away: not the same place",
    ),
    "spot_changed_since_you_read": (
        "فضای {spot_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون {current})",
        "spot {spot_id} changed since you read it (your version {version}, now {current})",
    ),
    "spot_already_merged_into_spot": (
        "فضای {spot_id} پیش‌تر در فضای {merged_into} ادغام شده است",
        "spot {spot_id} is already merged into spot {merged_into}",
    ),
    "spot_changed_while_you_asked": (
        "فضای {spot_id} در همین میان تغییر کرد؛ دوباره بکوشید",
        "spot {spot_id} changed while you asked; try again",
    ),
    "spot_was_itself_merged_into": (
        "فضای {kept_id} خود در فضای {merged_into} ادغام شده است: نخست آن را جدا کنید",
        "spot {kept_id} was itself merged into spot {merged_into}: unmerge it first",
    ),
    "report_already_only_report_spot": (
        "گزارش {report_id} پیش‌تر تنها گزارش فضای {spot_id} است",
        "report {report_id} is already the only report of spot {spot_id}",
    ),
    "report_already_spot": (
        "گزارش {report_id} پیش‌تر در فضای {into} است",
        "report {report_id} is already in spot {into}",
    ),
    "unknown_layer_layers": (
        "لایهٔ ناشناخته {name!r} (لایه‌ها: {layers})",
        "unknown layer {name!r} (layers: {layers})",
    ),
    "holds_one_layer_choose_one": (
        "{fmt} تنها یک لایه را نگه می‌دارد: یکی از این‌ها را برگزینید: {layers}",
        "{fmt} holds one layer: choose one of {layers}",
    ),
    "whole_number_from": (
        "باید عددی درست از {minimum} تا {max_count} باشد",
        "must be a whole number from {minimum} to {max_count}",
    ),
    "no_such_feature": (
        "عارضهٔ {feature_id!r} در {collection_id} نیست",
        "no feature {feature_id!r} in {collection_id}",
    ),
    "no_such_collection": (
        "مجموعه‌ای به نام {collection_id!r} نیست (مجموعه‌ها: {collections})",
        "no collection {collection_id!r} (collections: {collections})",
    ),
    "rfc_date_time_date": (
        "{text!r} تاریخ یا تاریخ-زمان RFC 3339 نیست",
        "{text!r} is not an RFC 3339 date-time or date",
    ),
    "filter_not_cql2": (
        "پالایه CQL2 متنی (filter-lang=cql2-text) درست نیست (ویژگی‌ها: {allowed})",
        "not a valid CQL2 text filter (filter-lang=cql2-text; properties: {allowed})",
    ),
    "filter_unknown_property": (
        "{name!r} از ویژگی‌های این مجموعه نیست (ویژگی‌ها: {allowed})",
        "{name!r} is not a property of this collection (properties: {allowed})",
    ),
    "filter_wrong_type": (
        "مقدار {value!r} از نوع {kind} نیست (ویژگی‌ها: {allowed})",
        "{value!r} is not of type {kind} (properties: {allowed})",
    ),
    "filter_not_supported": (
        "پالایه فقط مقایسه، AND/OR/NOT، IN، LIKE، BETWEEN، IS NULL و S_INTERSECTS می‌پذیرد"
        " (ویژگی‌ها: {allowed})",
        "the filter takes comparisons, AND/OR/NOT, IN, LIKE, BETWEEN, IS NULL and S_INTERSECTS"
        " (properties: {allowed})",
    ),
    "crs_not_supported": (
        "{crs!r} دستگاه مختصات پشتیبانی‌شده نیست (پشتیبانی‌شده: {supported})",
        "{crs!r} is not a supported CRS (supported: {supported})",
    ),
    "unknown_filter": (
        "پالایه‌ای از {collection_id} نیست (پالایه‌ها: {filters})",
        "not a filter of {collection_id} (filters: {filters})",
    ),
    "grid_cell_size_metres": (
        "اندازهٔ خانهٔ شبکه باید ۵۰ تا ۵۰۰۰ متر باشد",
        "grid cell size must be 50–5000 metres",
    ),
    "bandwidth_at_least_cell_size": (
        "پهنای باند باید دست‌کم به اندازهٔ خانهٔ شبکه و حداکثر ۲۰ کیلومتر باشد",
        "bandwidth must be at least the cell size and at most 20 km",
    ),
    "no_tiles": (
        "برای {collection_id!r} کاشی‌ای نیست (مجموعه‌های کاشی‌دار: {tiled_collections})",
        "no tiles for {collection_id!r} (tiled: {tiled_collections})",
    ),
    "date_required": (
        "تاریخ الزامی است (۱۳۹۹/۰۹/۱۵ یا 2020-12-05)",
        "a date is required (1399/09/15 or 2020-12-05)",
    ),
    "at_most_photo_references_up": (
        "حداکثر {max_photos} ارجاع عکس، هر یک تا ۳۰۰ نویسه",
        "at most {max_photos} photo references of up to 300 characters",
    ),
    "spot_at_stage_this_step": (
        "فضای {spot_id} در مرحلهٔ {stage} است؛ این گام مرحلهٔ {wanted} را می‌خواهد",
        "spot {spot_id} is at stage {stage}; this step needs stage {wanted}",
    ),
    "name_spot_duplicates_only_for": (
        "فضایی را که این فضا تکرار آن است نام ببرید (تنها برای دلیل 'duplicate')",
        "name the spot it duplicates (only for reason 'duplicate')",
    ),
    "due_date_required": (
        "موعد الزامی است (۱۳۹۹/۰۹/۱۵ یا 2020-12-05)",
        "a due date is required (1399/09/15 or 2020-12-05)",
    ),
    "user_may_set_action": (
        "کاربر با نقش {role} می‌تواند اقدام را به این وضعیت‌ها ببرد: {allowed}",
        "a {role} user may set an action to {allowed}",
    ),
    "this_action_assigned_another_agency": (
        "این اقدام به دستگاه دیگری سپرده شده است",
        "this action is assigned to another agency",
    ),
    "send_action_s_version_if": (
        "نسخهٔ اقدام را بفرستید (سرآیند If-Match یا فیلد version)",
        "send the action's version (If-Match header or a version field)",
    ),
    "assigned_progress_done_cancelled": (
        "باید assigned، in_progress، done یا cancelled باشد",
        "must be assigned, in_progress, done or cancelled",
    ),
    "re_audit_same_time_of_day": (
        "ممیزی دوباره باید در همان زمان ممیزی نخست ({first}) باشد تا دو ممیزی سنجیدنی باشند",
        "the re-audit must be at the same time of day as the first audit ({first}) to compare them",
    ),
    "safety_audit_required_each": (
        "ممیزی ایمنی الزامی است: دست‌کم یکی از {audit_criteria} با امتیاز ۰ تا ۳ (بقیه: «ارزیابی نشد»)",
        "a safety audit is required: at least one of {audit_criteria} scored 0–3 (others: not assessed)",
    ),
    "send_version_you_read_if": (
        "نسخه‌ای را که خواندید بفرستید (سرآیند If-Match یا فیلد version)",
        "send the version you read (If-Match header or a version field)",
    ),
    "action_s_are_still_open": (
        "{still_open} اقدام هنوز باز است: پس از انجام آن‌ها ارزیابی کنید",
        "{still_open} action(s) are still open: evaluate once they are done",
    ),
    "action_has_been_done_yet": (
        "هنوز هیچ اقدامی انجام نشده است: چیزی برای ارزیابی نیست",
        "no action has been done yet: nothing to evaluate",
    ),
    "there_re_audit_evidence_needed": (
        "ممیزی دوباره‌ای نیست: برای بستن فضا شاهد لازم است",
        "there is no re-audit: evidence is needed to close a spot",
    ),
    "spot_another_open_spot": (
        "فضای {duplicate_of} فضای باز دیگری نیست",
        "spot {duplicate_of} is not another open spot",
    ),
    "your_agency_has_action_on": (
        "دستگاه شما اقدامی روی این فضا ندارد",
        "your agency has no action on this spot",
    ),
    "characters_z_starting_with_letter": (
        "۲ تا ۴۰ نویسه: a-z، 0-9 و _، آغازشده با یک حرف",
        "2–40 characters: a-z, 0-9 and _, starting with a letter",
    ),
    "agency_with_code_already_exists": (
        "دستگاهی با کد {code!r} پیش‌تر هست",
        "an agency with code {code!r} already exists",
    ),
    "training_held_neighbourhood_house_give": (
        "آموزش در سرای محله برگزار می‌شود: محله را بنویسید",
        "a training is held in a neighbourhood house: give the neighbourhood",
    ),
    "body_s_name_with_whole": (
        "نام یک نهاد با شمار درستی از افراد",
        "a body's name with a whole number of people",
    ),
    "four_numbers_minlon_minlat_maxlon": (
        "چهار عدد: minlon,minlat,maxlon,maxlat",
        "four numbers: minlon,minlat,maxlon,maxlat",
    ),
    "minlon_minlat_maxlon_maxlat_with": (
        "باید minlon,minlat,maxlon,maxlat با کمینه ≤ بیشینه، به درجه باشد",
        "must be minlon,minlat,maxlon,maxlat with min ≤ max, in degrees",
    ),
    "unknown_time_day_day_evening": (
        "زمان ناشناخته از روز {unknown_times} (day، evening، night)",
        "unknown time of day {unknown_times} (day, evening, night)",
    ),
    "sign_see_spots_public_map": (
        "برای دیدن فضاها وارد شوید: نقشهٔ عمومی خاموش است",
        "sign in to see spots: the public map is off",
    ),
    "not_a_date": (
        "{text!r} تاریخ نیست (۱۴۰۵/۰۱/۰۱ یا 2026-03-21)",
        "{text!r} is not a date (2026-03-21 or ۱۴۰۵/۰۱/۰۱)",
    ),
    "pg_dump_custom_format_backup": (
        "{path_name} پشتیبان pg_dump با قالب custom نیست",
        "{path_name} is not a pg_dump custom-format backup",
    ),
    "text_may_contain_nul_x": (
        "متن نمی‌تواند نویسهٔ NUL (0x00) داشته باشد",
        "text may not contain a NUL (0x00) character",
    ),
    "date_session_was_held_required": (
        "تاریخ برگزاری جلسه الزامی است",
        "the date the session was held is required",
    ),
    "women_more_than_participants": (
        "{women} زن بیش از {participants} شرکت‌کننده است",
        "{women} women is more than the {participants} participants",
    ),
    "follow_up_does_exist": ("پیگیری {follow_up_id} وجود ندارد", "follow-up {follow_up_id} does not exist"),
    "follow_up_not_yours": (
        "پیگیری {follow_up_id} از آنِ {owner} است: تنها او یا معاونت آن را انجام‌شده می‌زند",
        "follow-up {follow_up_id} is owned by {owner}: only its owner or the deputy marks it done",
    ),
    "follow_up_already_done": (
        "پیگیری {follow_up_id} پیش‌تر انجام شده است ({done_on})",
        "follow-up {follow_up_id} is already done ({done_on})",
    ),
    "focus_group_does_exist": (
        "گروه کانونی {session_id} وجود ندارد",
        "focus group {session_id} does not exist",
    ),
    "featurecollection_with_at_least_one": (
        "یک FeatureCollection با دست‌کم یک عارضه",
        "a FeatureCollection with at least one feature",
    ),
    "at_most_features_at_once": (
        "حداکثر {max_points} عارضه در هر بار",
        "at most {max_points} features at once",
    ),
    "geojson_featurecollection": (
        "{path_name} یک FeatureCollection در قالب GeoJSON نیست",
        "{path_name} is not a GeoJSON FeatureCollection",
    ),
    "use_day_evening_night": (
        "{tod!r}: روز، عصر یا شب (day، evening، night) بنویسید",
        "{tod!r}: use day, evening or night (روز، عصر، شب)",
    ),
    "unknown_criterion_use": (
        "معیار ناشناخته؛ از این‌ها استفاده کنید: {audit_keys}",
        "unknown criterion; use {audit_keys}",
    ),
    "coordinate_reference_system_auto": (
        "{crs!r} دستگاه مختصات مرجع نیست (auto، 4326، 32639)",
        "{crs!r} is not a coordinate reference system (auto, 4326, 32639)",
    ),
    "cannot_converted_from": (
        "({x}, {y}) را نمی‌توان از {crs} تبدیل کرد",
        "({x}, {y}) cannot be converted from {crs}",
    ),
    "day_evening_night_nor_time": (
        "{when!r} نه روز، عصر یا شب است و نه ساعت (22:30)",
        "{when!r} is not day, evening or night (روز، عصر، شب) nor a time (22:30)",
    ),
    "are_neither_degrees_nor_utm": (
        "({x}, {y}) نه درجه است و نه متر UTM 39N",
        "({x}, {y}) are neither degrees nor UTM 39N metres",
    ),
    "category_column_category_among": (
        "ستون دسته (نوع، category) در میان این ستون‌ها نیست: {columns}",
        "no category column (نوع, category) among: {columns}",
    ),
    "unknown_format_send_csv_xlsx": (
        "{path_name}: قالب ناشناخته؛ CSV، XLSX، GeoJSON، GeoPackage یا Shapefile فشرده بفرستید",
        "{path_name}: unknown format; send CSV, XLSX, GeoJSON, GeoPackage or a zipped Shapefile",
    ),
    "readable_xlsx_workbook": (
        "{path_name} کارپوشهٔ XLSX خواندنی نیست ({exc})",
        "{path_name} is not a readable XLSX workbook ({exc})",
    ),
    "valid_utf_after_line_save": (
        "{path_name} پس از سطر {line} متن UTF-8 معتبر نیست: آن را با UTF-8 یا Windows-1256 ذخیره کنید",
        "{path_name} is not valid UTF-8 after line {line}: save it as UTF-8 or Windows-1256",
    ),
    "not_csv": (
        "{path_name}، سطر {line_num}: CSV نیست ({exc})",
        "{path_name}, line {line_num}: not CSV ({exc})",
    ),
    "kb_over_mb_limit_resize": (
        "{kb} کیلوبایت بیش از سقف {mb} مگابایت است؛ نخست اندازهٔ عکس را کوچک کنید",
        "{kb} KB is over the {mb} MB limit; resize the photo first",
    ),
    "photo_too_many_pixels": (
        "تصویر بیش از {max_megapixels} مگاپیکسل است؛ نخست اندازهٔ عکس را کوچک کنید",
        "the image has more than {max_megapixels} megapixels; resize the photo first",
    ),
    "photo_belongs_another_report": (
        "عکس {photo_uuid} از آنِ گزارش دیگری است",
        "photo {photo_uuid} belongs to another report",
    ),
    "report_has_photo": (
        "گزارش {report_uuid} عکس {photo_uuid} ندارد",
        "report {report_uuid} has no photo {photo_uuid}",
    ),
    "service_code_service": (
        "خدمتی با کد {service_code!r} نیست",
        "service_code: no service {service_code!r}",
    ),
    "api_key_required_post_service": (
        "برای ثبت درخواست خدمت، کلید API (api_key) لازم است",
        "api_key: required to post a service request",
    ),
    "location_required_lat_long_address": (
        "مکان الزامی است: lat و long، یا address_string",
        "a location is required: lat and long, or an address_string",
    ),
    "names_neighbourhood_district_give_lat": (
        "هیچ محله‌ای از منطقهٔ ۲۲ را نام نمی‌برد؛ به جای آن lat و long بدهید",
        "names no neighbourhood of District 22; give lat and long instead",
    ),
    "jurisdiction_id": (
        "jurisdiction_id باید {jurisdiction_id!r} باشد",
        "jurisdiction_id: not {jurisdiction_id!r}",
    ),
    "service_see_services_json": (
        "خدمتی با کد {service_code!r} نیست (services.json را ببینید)",
        "no service {service_code!r} (see services.json)",
    ),
    "service_request_id_request": (
        "درخواستی با شناسهٔ {request_id!r} نیست",
        "service_request_id: no request {request_id!r}",
    ),
    "number_decimal_degrees": (
        "{text!r} عددی به درجهٔ اعشاری نیست",
        "{text!r} is not a number in decimal degrees",
    ),
    "iso_date_time_t": (
        "{text!r} تاریخ-زمان ISO 8601 نیست (2026-03-21T08:00:00+03:30)",
        "{text!r} is not an ISO 8601 date-time (2026-03-21T08:00:00+03:30)",
    ),
    "token_request_with_token": (
        "درخواستی با نشانهٔ {token!r} نیست",
        "token: no request with token {token!r}",
    ),
    "give_coordinates_lat_lon_geometry": (
        "مختصات (lat/lon)، هندسه یا محله را بدهید",
        "give coordinates (lat/lon), a geometry, or the neighbourhood",
    ),
    "geojson_geometry": (
        "هندسهٔ GeoJSON نیست ({message_primary})",
        "not a GeoJSON geometry ({message_primary})",
    ),
    "missing_wrong_csrf_token_send": (
        "نشانهٔ CSRF نیامده یا نادرست است (مقدار کوکی safemap_csrf را در X-CSRF-Token بفرستید)",
        "missing or wrong CSRF token (send the safemap_csrf cookie's value as X-CSRF-Token)",
    ),
    "sign_first_bearer_token_session": (
        "نخست وارد شوید: نشانهٔ bearer یا نشست لازم است",
        "sign in first: a bearer token or a session is required",
    ),
    "authorization_header_bearer_token": (
        "سرآیند Authorization باید 'Bearer <token>' یا Basic (نام کاربری و توکن یا گذرواژه) باشد",
        "the Authorization header must be 'Bearer <token>' or Basic (user name and token or password)",
    ),
    "token_unknown_expired_revoked": (
        "این نشانه ناشناخته، منقضی یا باطل‌شده است",
        "the token is unknown, expired or revoked",
    ),
    "layer_needs_signed_user": (
        "لایهٔ {private} کاربر واردشده می‌خواهد",
        "the {private} layer needs a signed-in user",
    ),
    "if_match_header_version_field": (
        "سرآیند If-Match و فیلد version با هم نمی‌خوانند",
        "the If-Match header and the version field disagree",
    ),
    "version_as_etag_e_g": (
        'باید نسخه به صورت ETag باشد، مانند "3"',
        'must be the version as an ETag, e.g. "3"',
    ),
    "open_resource_for_this_method": (
        "منبع Open311 با نام {rest!r} برای این روش نیست (/open311/v2/discovery.json را ببینید)",
        "no Open311 resource {rest!r} for this method (see /open311/v2/discovery.json)",
    ),
    "facilitators_report_from": (
        "تسهیلگران تنها از این منبع‌ها گزارش می‌دهند: {facilitator_sources}",
        "facilitators report from {facilitator_sources}",
    ),
    "collection_needs_bearer_token": (
        "مجموعهٔ {collection_id} نشانهٔ bearer می‌خواهد",
        "the {collection_id} collection needs a bearer token",
    ),
    "unknown_parameter_known": (
        "پارامتر ناشناخته (پارامترهای شناخته: {allowed})",
        "unknown parameter (known: {allowed})",
    ),
    "larger_than_mb_use_command": (
        "بزرگ‌تر از {mb} مگابایت: از خط فرمان استفاده کنید (safemap import reports)",
        "larger than {mb} MB: use the command line (safemap import reports)",
    ),
    "too_many_sign_in_attempts": (
        "تلاش‌های ورود بیش از اندازه بوده است؛ {seconds} ثانیهٔ دیگر دوباره بکوشید",
        "too many sign-in attempts; try again in {seconds} seconds",
    ),
    "database_down_retry": (
        "پایگاه داده در دسترس نیست؛ اندکی بعد دوباره بکوشید",
        "the database is not reachable; try again in a moment",
    ),
    "spot_at_stage_spot_at": (
        (
            "فضای {spot_id} در مرحلهٔ {stage} و فضای {into} در مرحلهٔ {into_stage} است: به جای آن، فضای "
            "{into} را در فضای {spot_id} ادغام کنید تا کاری از دست نرود"
        ),
        (
            "spot {spot_id} is at stage {stage}, spot {into} at stage {into_stage}: merge spot {into} into "
            "spot {spot_id} instead, so no work is lost"
        ),
    ),
    "spot_was_merged_by_rebuild": (
        (
            "فضای {spot_id} را بازسازی ادغام کرده است، نه دست: بازسازی با شعاع پیشین گزارش‌هایش را "
            "دوباره جدا می‌کند"
        ),
        (
            "spot {spot_id} was merged by a rebuild, not by hand: a rebuild with the former radius "
            "separates its reports again"
        ),
    ),
    "action_changed_since_you_read": (
        (
            "اقدام {action_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون "
            "{action_version}): آن را دوباره بارگذاری کنید و دوباره بکوشید"
        ),
        (
            "action {action_id} changed since you read it (your version {version}, now {action_version}): "
            "reload it and try again"
        ),
    ),
    "spot_changed_reload": (
        (
            "فضای {spot_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون {current}): آن را "
            "دوباره بارگذاری کنید و دوباره بکوشید"
        ),
        (
            "spot {spot_id} changed since you read it (your version {version}, now {current}): reload it "
            "and try again"
        ),
    ),
    "re_audit_shows_improvement_before": (
        (
            "ممیزی دوباره بهبودی نشان نمی‌دهد (پیش {before:.2f}، پس {after:.2f}): به جای آن فضا را "
            "دوباره باز کنید"
        ),
        "the re-audit shows no improvement (before {before:.2f}, after {after:.2f}): reopen the spot instead",
    ),
    "features_rejected_nothing_was_stored": (
        (
            "{rejected} از {features} عارضه پذیرفته نشد و چیزی ذخیره نشد (عارضهٔ {feature}: {bad_field}: "
            "{reason})"
        ),
        (
            "{rejected} of {features} features rejected, nothing was stored (feature {feature}: "
            "{bad_field}: {reason})"
        ),
    ),
    "wgs_longitude_latitude_crs_save": (
        (
            "{path_name} به طول و عرض جغرافیایی WGS 84 نیست (crs {crs})؛ آن را به صورت GeoJSON در "
            "EPSG:4326 ذخیره کنید"
        ),
        "{path_name} is not in WGS 84 longitude/latitude (crs {crs}); save it as GeoJSON in EPSG:4326",
    ),
    "alias_target_unknown": (
        "«{code}» واژه‌ای از فهرست نیست؛ یکی از گزینه‌های پیشنهادی را برگزینید",
        "{code!r} is not a term of the vocabulary; pick one of the choices offered",
    ),
    "map_column_unknown": (
        "ستون «{column}» در فایل نیست؛ ستون‌ها: {columns}",
        "the file has no column {column!r}; its columns: {columns}",
    ),
    "map_field_unknown": (
        "«{field_name}» فیلد گزارش نیست؛ یکی از این‌ها: {fields}",
        "{field_name!r} is not a report field; one of {fields}",
    ),
    "map_pair": ("باید به شکل ستون=فیلد باشد: {pair!r}", "must read column=field: {pair!r}"),
    "fix_pair": (
        "باید به شکل ردیف:ستون=مقدار باشد: {pair!r}",
        "must read row:column=value: {pair!r}",
    ),
    "date_pair": (
        "باید به شکل تاریخ نوشته‌شده=خوانش باشد، مانند 99/9/18=1399/09/18: {pair!r}",
        "must read written date=reading, as 99/9/18=1399/09/18: {pair!r}",
    ),
    "scan_pdf_or_image": (
        "نامهٔ اسکن‌شده باید PDF یا تصویر JPEG، PNG یا WebP تا {mb} مگابایت باشد",
        "the letter's scan must be a PDF or a JPEG, PNG or WebP image of up to {mb} MB",
    ),
    "has_coordinate_reference_system_coordinates": (
        (
            "{path_name} دستگاه مختصات مرجع ندارد و مختصاتش نه درجه است و نه متر UTM 39N: آن را با --crs "
            "نام ببرید"
        ),
        (
            "{path_name} has no coordinate reference system and its coordinates are neither degrees nor "
            "UTM 39N metres: name it with --crs"
        ),
    ),
    "place_before_verify": (
        "مکان فضای {spot_id} فقط از نشانی یا محله آمده است: پیش از تأیید، آن را روی نقشه جایابی کنید",
        "spot {spot_id} is known only by its address or neighbourhood: place it on the map before verifying",
    ),
    "give_geometry_or_x_y": (
        "مکان تازه را بدهید: یک هندسه (geometry) یا هر دو مختصات x و y",
        "give the new location: a geometry, or both coordinates x and y",
    ),
    # Why a request's shape was refused before it reached the domain (FastAPI's checks), by kind.
    "schema_missing": ("لازم است", "is required"),
    "schema_not_integer": ("باید عدد صحیح باشد", "must be a whole number"),
    "schema_not_number": ("باید عدد باشد", "must be a number"),
    "schema_not_boolean": ("باید درست یا نادرست باشد", "must be true or false"),
    "schema_not_text": ("باید متن باشد", "must be text"),
    "schema_not_date": ("تاریخ یا زمان درستی نیست", "is not a valid date or time"),
    "schema_not_uuid": ("شناسهٔ درستی نیست", "is not a valid identifier"),
    "schema_not_json": ("JSON درستی نیست", "is not valid JSON"),
    "schema_wrong_shape": ("ساختار درستی ندارد", "does not have the expected structure"),
    "schema_unknown_field": ("فیلدی ناشناخته است", "is not a known field"),
    "schema_too_short": (
        "دست‌کم {min_length} نویسه یا مورد لازم است",
        "needs at least {min_length} characters or items",
    ),
    "schema_too_long": (
        "بیش از {max_length} نویسه یا مورد است",
        "has more than {max_length} characters or items",
    ),
    "schema_at_least": ("باید دست‌کم {ge} باشد", "must be at least {ge}"),
    "schema_above": ("باید بیشتر از {gt} باشد", "must be more than {gt}"),
    "schema_at_most": ("باید حداکثر {le} باشد", "must be at most {le}"),
    "schema_below": ("باید کمتر از {lt} باشد", "must be less than {lt}"),
    "schema_not_allowed": ("باید یکی از اینها باشد: {expected}", "must be one of {expected}"),
    "schema_invalid": ("این مقدار پذیرفته نشد", "was not accepted"),
}

# FastAPI's (pydantic's) error kinds → the catalogue's reason; any other kind reads as schema_invalid.
SCHEMA_REASONS: dict[str, str] = {
    "missing": "schema_missing",
    "int_parsing": "schema_not_integer",
    "int_type": "schema_not_integer",
    "int_from_float": "schema_not_integer",
    "float_parsing": "schema_not_number",
    "float_type": "schema_not_number",
    "finite_number": "schema_not_number",
    "bool_parsing": "schema_not_boolean",
    "bool_type": "schema_not_boolean",
    "string_type": "schema_not_text",
    "date_parsing": "schema_not_date",
    "date_type": "schema_not_date",
    "date_from_datetime_parsing": "schema_not_date",
    "datetime_parsing": "schema_not_date",
    "datetime_type": "schema_not_date",
    "datetime_from_date_parsing": "schema_not_date",
    "uuid_parsing": "schema_not_uuid",
    "uuid_type": "schema_not_uuid",
    "json_invalid": "schema_not_json",
    "dict_type": "schema_wrong_shape",
    "list_type": "schema_wrong_shape",
    "model_type": "schema_wrong_shape",
    "model_attributes_type": "schema_wrong_shape",
    "extra_forbidden": "schema_unknown_field",
    "string_too_short": "schema_too_short",
    "too_short": "schema_too_short",
    "string_too_long": "schema_too_long",
    "too_long": "schema_too_long",
    "greater_than_equal": "schema_at_least",
    "greater_than": "schema_above",
    "less_than_equal": "schema_at_most",
    "less_than": "schema_below",
    "literal_error": "schema_not_allowed",
    "enum": "schema_not_allowed",
}


# The names users know fields by, (Persian, English); a field missing here is shown as its code.
FIELDS: dict[str, tuple[str, str]] = {
    "held_on": ("تاریخ برگزاری", "held_on"),
    "geometry": ("هندسه", "geometry"),
    "since": ("از تاریخ", "since"),
    "until": ("تا تاریخ", "until"),
    "end_date": ("تاریخ پایان", "end_date"),
    "note": ("یادداشت", "note"),
    "facilitator": ("تسهیلگر", "facilitator"),
    "participants": ("شمار شرکت‌کنندگان", "participants"),
    "women": ("شمار زنان", "women"),
    "features": ("مکان‌های نام‌برده", "features"),
}


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue's sentence for `key` in `lang`, filled in; a text that is no key is shown as given."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    # A parameter that is itself an error (the first refused feature of a batch) is read in the same language.
    params = {k: v.reason_text(lang) if isinstance(v, InvalidInput) else v for k, v in params.items()}
    return _in(entry, lang).format(**params)


def field_label(field: str, lang: str = "en") -> str:
    """How a field is named to a reader of `lang`."""
    return _in(FIELDS[field], lang) if field in FIELDS else field


def schema_reason(kind: str, context: dict, lang: str = "en") -> str:
    """Why FastAPI refused a value, as the catalogue words it; a reason it needs a limit for and lacks is the
    general one, so a message never shows a blank."""
    key = SCHEMA_REASONS.get(kind, "schema_invalid")
    try:
        return text(key, lang, **context)
    except (KeyError, IndexError):
        return text("schema_invalid", lang)


def _in(pair: tuple[str, str], lang: str) -> str:
    """The Persian or the English of a (Persian, English) pair."""
    return pair[0] if lang == "fa" else pair[1]


class SafemapError(Exception):
    """Base class: `message` (a catalogue key and its parameters) is for the user, `detail` for the log."""

    code = "error"

    def __init__(
        self, message: str, /, *, field: str | None = None, detail: str = "", **params: object
    ) -> None:
        self.key, self.params = message, params
        self.field = field
        self.detail = detail
        self.message = self.text("en")
        super().__init__(self.message)

    def text(self, lang: str = "en") -> str:
        """The message for a reader of `lang` (fa or en)."""
        return text(self.key, lang, **self.params)


class InvalidInput(SafemapError):
    """Input that breaks a rule; `field` names what was wrong, `reason` (a catalogue key) why."""

    code = "invalid_input"

    def __init__(
        self, field: str, reason: str, /, *, rows: list[dict] | None = None, **params: object
    ) -> None:
        self.rows = rows or []
        super().__init__(reason, field=field, **params)
        self.reason = self.reason_text("en")

    def reason_text(self, lang: str = "en") -> str:
        """The reason alone, without the field, for a reader of `lang`."""
        return text(self.key, lang, **self.params)

    def text(self, lang: str = "en") -> str:
        return f"{field_label(self.field or '', lang)}: {self.reason_text(lang)}"


class NotFound(SafemapError):
    code = "not_found"


class Conflict(SafemapError):
    code = "conflict"


class Forbidden(SafemapError):
    code = "forbidden"


class Unauthorized(SafemapError):
    code = "unauthorized"


class TooManyAttempts(SafemapError):
    """Too many attempts in a short time: try again after `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, /, *, retry_after: int, **params: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **params)


class DatabaseUnavailable(SafemapError):
    code = "database_unavailable"


class ClusterError(SafemapError):
    """The embedded PostgreSQL could not be set up or started."""

    code = "cluster_error"
