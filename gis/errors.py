"""The domain's error family and the one catalogue of its messages in Persian and English. No HTTP here:
api/ maps each class to a status code and picks the language."""

LANGUAGES = ("fa", "en")

# Every reason and message a user can read, by key; {name} placeholders are filled from the raise's params.
MESSAGES: dict[str, dict[str, str]] = {
    "database_busy": {"en": "the database is busy; try again", "fa": "پایگاه داده پرکار است؛ دوباره بکوشید"},
    "database_unreachable": {"en": "the database is not reachable", "fa": "پایگاه داده در دسترس نیست"},
    "invalid_or_empty_geometry": {"en": "invalid or empty geometry", "fa": "هندسهٔ نامعتبر یا خالی"},
    "geometry_point_line_polygon": {
        "en": "geometry must be a point, line or polygon",
        "fa": "هندسه باید نقطه، خط یا چندضلعی باشد",
    },
    "stage_must_be_1_to_4": {"en": "stage must be 1, 2, 3 or 4", "fa": "مرحله باید ۱، ۲، ۳ یا ۴ باشد"},
    "unknown_category_code": {"en": "unknown category", "fa": "دستهٔ ناشناخته"},
    "unknown_source": {"en": "unknown source", "fa": "منبع ناشناخته"},
    "audit_scores_invalid": {
        "en": "each safety-audit score is an integer 0–3 of the nine criteria",
        "fa": "هر امتیاز ممیزی ایمنی عددی درست از ۰ تا ۳ برای یکی از نه معیار است",
    },
    "unknown_area_level": {"en": "unknown area level", "fa": "سطح ناشناختهٔ محدوده"},
    "area_code_taken": {"en": "an area with this code already exists", "fa": "محدوده‌ای با این کد پیش‌تر هست"},
    "user_name_taken": {"en": "this user name is taken", "fa": "این نام کاربری پیش‌تر گرفته شده است"},
    "user_name_characters": {
        "en": "2–64 characters of a-z, 0-9, _ . -",
        "fa": "۲ تا ۶۴ نویسه از a-z، 0-9، _ . -",
    },
    "unknown_role": {"en": "unknown role", "fa": "نقش ناشناخته"},
    "photo_type": {
        "en": "a photo must be a JPEG, PNG or WebP image",
        "fa": "عکس باید تصویر JPEG، PNG یا WebP باشد",
    },
    "photo_size": {"en": "a photo must be 1 byte to 2 MB", "fa": "عکس باید ۱ بایت تا ۲ مگابایت باشد"},
    "phase_reversed": {"en": "the phase ends before it starts", "fa": "پایان این مرحله پیش از آغاز آن است"},
    "actual_end_order": {
        "en": "an actual end needs an actual start, and not before it",
        "fa": "پایان واقعی، آغاز واقعی می‌خواهد و نه پیش از آن",
    },
    "violates_database_rule": {
        "en": "violates a rule of the database",
        "fa": "با قاعده‌ای از پایگاه داده نمی‌خواند",
    },
    "database_refused_value": {"en": "{reason}", "fa": "مقدار نامعتبر ({reason})"},
    "criteria_unknown_missing": {
        "en": "unknown criteria {unknown}; missing criteria {missing}",
        "fa": "معیارهای ناشناخته {unknown}؛ معیارهای نیامده {missing}",
    },
    "criteria_missing": {"en": "missing criteria {missing}", "fa": "معیارهای نیامده: {missing}"},
    "no_areas_loaded": {"en": "no areas loaded yet", "fa": "هنوز هیچ محدوده‌ای بارگذاری نشده است"},
    "same_as_row": {"en": "same as row {row}", "fa": "همانند سطر {row}"},
    "already_imported": {"en": "already imported", "fa": "پیش‌تر وارد شده است"},
    "no_such_import_job": {"en": "no import job {job_id}", "fa": "کار ورود {job_id} نیست"},
    "import_job_finished": {
        "en": "import job {job_id} has ended ({state}); only a queued or running job can be cancelled",
        "fa": "کار ورود {job_id} پیش‌تر پایان یافته است ({state})؛ فقط کار در صف یا در حال اجرا لغوشدنی است",
    },
    "import_job_busy": {
        "en": "import job {job_id} is being run by another process",
        "fa": "کار ورود {job_id} را فرایند دیگری اجرا می‌کند",
    },
    "one_of": {"en": "must be one of {choices}", "fa": "باید یکی از این‌ها باشد: {choices}"},
    "at_least_characters": {"en": "at least {min_password} characters", "fa": "دست‌کم {min_password} نویسه"},
    "facilitator_needs_at_least_one": {
        "en": "a facilitator needs at least one neighbourhood (--area 2201)",
        "fa": "کاربر تسهیلگر دست‌کم یک محله لازم دارد (--area 2201)",
    },
    "agency_user_needs_agency_code": {
        "en": "an agency user needs an agency code (--agency urban_services)",
        "fa": "کاربر دستگاه، کد دستگاه لازم دارد (--agency urban_services)",
    },
    "only_agency_users_are_bound": {
        "en": "only agency users are bound to an agency",
        "fa": "تنها کاربران دستگاه‌ها به یک دستگاه وابسته‌اند",
    },
    "no_such_user": {"en": "no user {username!r}", "fa": "کاربری با نام {username!r} نیست"},
    "this_neighbourhood_one_yours": {
        "en": "this neighbourhood is not one of yours",
        "fa": "این محله از محله‌های شما نیست",
    },
    "this_needs_role_you_are": {
        "en": "this needs the role {roles}; you are {role}",
        "fa": "این کار نقش {roles} می‌خواهد؛ نقش شما {role} است",
    },
    "username_taken": {
        "en": "username: {username!r} is taken",
        "fa": "نام کاربری {username!r} پیش‌تر گرفته شده است",
    },
    "wrong_user_name_password": {
        "en": "wrong user name or password",
        "fa": "نام کاربری یا گذرواژه نادرست است",
    },
    "unknown_agency": {"en": "unknown agency {agency!r}", "fa": "دستگاه ناشناخته {agency!r}"},
    "no_neighbourhood_with_code": {
        "en": "no neighbourhood with code {code!r}",
        "fa": "محله‌ای با کد {code!r} نیست",
    },
    "path_missing": {"en": "{path} does not exist", "fa": "{path} وجود ندارد"},
    "has_coordinate_reference_system": {
        "en": "{path_name} has no coordinate reference system",
        "fa": "{path_name} دستگاه مختصات مرجع ندارد",
    },
    "name_column_found_name_with": {
        "en": "no name column found; name it with --name-field (columns: {columns})",
        "fa": "ستون نام پیدا نشد؛ آن را با --name-field نام ببرید (ستون‌ها: {columns})",
    },
    "area_area_with_code": {"en": "area: no area with code {code!r}", "fa": "محدوده‌ای با کد {code!r} نیست"},
    "readable_gis_layer": {
        "en": "{path_name} is not a readable GIS layer ({exc})",
        "fa": "{path_name} لایهٔ GIS خواندنی نیست ({exc})",
    },
    "column_file_columns": {
        "en": "column {given!r} is not in the file (columns: {columns})",
        "fa": "ستون {given!r} در پرونده نیست (ستون‌ها: {columns})",
    },
    "empty_geometry": {"en": "empty geometry", "fa": "هندسهٔ خالی"},
    "not_a_polygon": {"en": "{geom_type} is not a polygon", "fa": "{geom_type} چندضلعی نیست"},
    "empty_name": {"en": "empty name", "fa": "نام خالی"},
    "invalid_polygon": {"en": "invalid polygon ({reason})", "fa": "چندضلعی نامعتبر ({reason})"},
    "neighbourhood_with_code_name": {
        "en": "no neighbourhood with code or name {text!r}",
        "fa": "محله‌ای با کد یا نام {text!r} نیست",
    },
    "outside_district_km_from_nearest": {
        "en": "({lon}, {lat}) is outside the district ({km:.1f} km from the nearest neighbourhood)",
        "fa": "({lon}, {lat}) بیرون از منطقه است ({km:.1f} کیلومتر تا نزدیک‌ترین محله)",
    },
    "longitude_latitude_pair_degrees": {
        "en": "({lon}, {lat}) is not a longitude/latitude pair in degrees",
        "fa": "({lon}, {lat}) جفت طول و عرض جغرافیایی به درجه نیست",
    },
    "latitude_longitude_look_swapped_inside": {
        "en": "latitude and longitude look swapped: ({lat}, {lon}) is inside the district",
        "fa": "گویا طول و عرض جغرافیایی جابه‌جا شده‌اند: ({lat}, {lon}) درون منطقه است",
    },
    "neighbourhoods_are_loaded_run_safemap": {
        "en": "no neighbourhoods are loaded: run `safemap demo` or `safemap import areas`",
        "fa": "هیچ محله‌ای بارگذاری نشده است: `safemap demo` یا `safemap import areas` را اجرا کنید",
    },
    "say_why_kept_both_spots": {
        "en": "say why (it is kept in both spots' histories)",
        "fa": "دلیل را بنویسید (در تاریخچهٔ هر دو فضا می‌ماند)",
    },
    "at_most_4000_characters": {"en": "at most 4000 characters", "fa": "حداکثر ۴۰۰۰ نویسه"},
    "report_does_exist": {"en": "report {report_id} does not exist", "fa": "گزارش {report_id} وجود ندارد"},
    "spot_reports_cannot_join": {
        "en": "spot {spot_id} is {status}: reports cannot join it",
        "fa": "فضای {spot_id} در وضعیت {status} است: گزارشی به آن افزوده نمی‌شود",
    },
    "between_0_and_5000_metres": {"en": "between 0 and 5000 metres", "fa": "بین ۰ و ۵۰۰۰ متر"},
    "spot_cannot_merged_into_itself": {
        "en": "a spot cannot be merged into itself",
        "fa": "یک فضا در خودش ادغام نمی‌شود",
    },
    "spot_changed_since_you_read": {
        "en": "spot {spot_id} changed since you read it (your version {version}, now {current})",
        "fa": "فضای {spot_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون {current})",
    },
    "spot_already_merged_into_spot": {
        "en": "spot {spot_id} is already merged into spot {merged_into}",
        "fa": "فضای {spot_id} پیش‌تر در فضای {merged_into} ادغام شده است",
    },
    "spot_at_stage_spot_at": {
        "en": (
            "spot {spot_id} is at stage {stage}, spot {into} at stage {into_stage}: merge "
            "spot {into} into spot {spot_id} instead, so no work is lost"
        ),
        "fa": (
            "فضای {spot_id} در مرحلهٔ {stage} و فضای {into} در مرحلهٔ {into_stage} است: به "
            "جای آن، فضای {into} را در فضای {spot_id} ادغام کنید تا کاری از دست نرود"
        ),
    },
    "spot_does_exist": {"en": "spot {spot_id} does not exist", "fa": "فضای {spot_id} وجود ندارد"},
    "spot_merged": {"en": "spot {spot_id} is not merged", "fa": "فضای {spot_id} ادغام نشده است"},
    "spot_changed_while_you_asked": {
        "en": "spot {spot_id} changed while you asked; try again",
        "fa": "فضای {spot_id} در همین میان تغییر کرد؛ دوباره بکوشید",
    },
    "spot_was_itself_merged_into": {
        "en": "spot {kept_id} was itself merged into spot {merged_into}: unmerge it first",
        "fa": "فضای {kept_id} خود در فضای {merged_into} ادغام شده است: نخست آن را جدا کنید",
    },
    "report_already_only_report_spot": {
        "en": "report {report_id} is already the only report of spot {spot_id}",
        "fa": "گزارش {report_id} پیش‌تر تنها گزارش فضای {spot_id} است",
    },
    "report_already_spot": {
        "en": "report {report_id} is already in spot {into}",
        "fa": "گزارش {report_id} پیش‌تر در فضای {into} است",
    },
    "spot_was_merged_by_rebuild": {
        "en": (
            "spot {spot_id} was merged by a rebuild, not by hand: a rebuild with the former "
            "radius separates its reports again"
        ),
        "fa": (
            "فضای {spot_id} را بازسازی ادغام کرده است، نه دست: بازسازی با شعاع پیشین "
            "گزارش‌هایش را دوباره جدا می‌کند"
        ),
    },
    "between_0_and_1000_metres": {"en": "between 0 and 1000 metres", "fa": "بین ۰ و ۱۰۰۰ متر"},
    "unknown_layer_layers": {
        "en": "unknown layer {name!r} (layers: {layers})",
        "fa": "لایهٔ ناشناخته {name!r} (لایه‌ها: {layers})",
    },
    "holds_one_layer_choose_one": {
        "en": "{fmt} holds one layer: choose one of {layers}",
        "fa": "{fmt} تنها یک لایه را نگه می‌دارد: یکی از این‌ها را برگزینید: {layers}",
    },
    "whole_number_from": {
        "en": "must be a whole number from {minimum} to {max_count}",
        "fa": "باید عددی درست از {minimum} تا {max_count} باشد",
    },
    "no_such_feature": {
        "en": "no feature {feature_id!r} in {collection_id}",
        "fa": "عارضهٔ {feature_id!r} در {collection_id} نیست",
    },
    "no_such_collection": {
        "en": "no collection {collection_id!r} (collections: {collections})",
        "fa": "مجموعه‌ای به نام {collection_id!r} نیست (مجموعه‌ها: {collections})",
    },
    "rfc_date_time_date": {
        "en": "{text!r} is not an RFC 3339 date-time or date",
        "fa": "{text!r} تاریخ یا تاریخ-زمان RFC 3339 نیست",
    },
    "interval_needs_at_least_one": {
        "en": "an interval needs at least one end",
        "fa": "بازه دست‌کم یک سر لازم دارد",
    },
    "interval_s_start_after_end": {
        "en": "the interval's start is after its end",
        "fa": "آغاز بازه پس از پایان آن است",
    },
    "unknown_filter": {
        "en": "not a filter of {collection_id} (filters: {filters})",
        "fa": "پالایه‌ای از {collection_id} نیست (پالایه‌ها: {filters})",
    },
    "grid_cell_size_metres": {
        "en": "grid cell size must be 50–5000 metres",
        "fa": "اندازهٔ خانهٔ شبکه باید ۵۰ تا ۵۰۰۰ متر باشد",
    },
    "bandwidth_at_least_cell_size": {
        "en": "bandwidth must be at least the cell size and at most 20 km",
        "fa": "پهنای باند باید دست‌کم به اندازهٔ خانهٔ شبکه و حداکثر ۲۰ کیلومتر باشد",
    },
    "spots_or_reports": {"en": "must be spots or reports", "fa": "باید spots یا reports باشد"},
    "between_0_and_half": {"en": "must be between 0 and 0.5", "fa": "باید بین ۰ و ۰٫۵ باشد"},
    "between_0_9999": {"en": "must be 0–9999", "fa": "باید ۰ تا ۹۹۹۹ باشد"},
    "zoom_out_of_range": {"en": "zoom must be 0–{max_zoom}", "fa": "بزرگنمایی باید ۰ تا {max_zoom} باشد"},
    "among_layers": {"en": "must be among {layers}", "fa": "باید از میان این‌ها باشد: {layers}"},
    "no_tiles": {
        "en": "no tiles for {collection_id!r} (tiled: {tiled_collections})",
        "fa": "برای {collection_id!r} کاشی‌ای نیست (مجموعه‌های کاشی‌دار: {tiled_collections})",
    },
    "tile_out_of_range": {
        "en": "must be 0–{max_xy} at zoom {z}",
        "fa": "در بزرگنمایی {z} باید ۰ تا {max_xy} باشد",
    },
    "object_nine_criteria": {
        "en": "must be an object of the nine criteria",
        "fa": "باید شیئی از نه معیار باشد",
    },
    "required": {"en": "is required", "fa": "الزامی است"},
    "at_most_n_characters": {"en": "at most {limit} characters", "fa": "حداکثر {limit} نویسه"},
    "date_required": {
        "en": "a date is required (1399/09/15 or 2020-12-05)",
        "fa": "تاریخ الزامی است (۱۳۹۹/۰۹/۱۵ یا 2020-12-05)",
    },
    "cannot_future": {"en": "cannot be in the future", "fa": "نمی‌تواند در آینده باشد"},
    "at_most_photo_references_up": {
        "en": "at most {max_photos} photo references of up to 300 characters",
        "fa": "حداکثر {max_photos} ارجاع عکس، هر یک تا ۳۰۰ نویسه",
    },
    "spot_in_status": {"en": "spot {spot_id} is {status}", "fa": "فضای {spot_id} در وضعیت {status} است"},
    "spot_at_stage_this_step": {
        "en": "spot {spot_id} is at stage {stage}; this step needs stage {wanted}",
        "fa": "فضای {spot_id} در مرحلهٔ {stage} است؛ این گام مرحلهٔ {wanted} را می‌خواهد",
    },
    "name_spot_duplicates_only_for": {
        "en": "name the spot it duplicates (only for reason 'duplicate')",
        "fa": "فضایی را که این فضا تکرار آن است نام ببرید (تنها برای دلیل 'duplicate')",
    },
    "due_date_required": {
        "en": "a due date is required (1399/09/15 or 2020-12-05)",
        "fa": "موعد الزامی است (۱۳۹۹/۰۹/۱۵ یا 2020-12-05)",
    },
    "user_may_set_action": {
        "en": "a {role} user may set an action to {allowed}",
        "fa": "کاربر با نقش {role} می‌تواند اقدام را به این وضعیت‌ها ببرد: {allowed}",
    },
    "action_does_exist": {"en": "action {action_id} does not exist", "fa": "اقدام {action_id} وجود ندارد"},
    "this_action_assigned_another_agency": {
        "en": "this action is assigned to another agency",
        "fa": "این اقدام به دستگاه دیگری سپرده شده است",
    },
    "send_action_s_version_if": {
        "en": "send the action's version (If-Match header or a version field)",
        "fa": "نسخهٔ اقدام را بفرستید (سرآیند If-Match یا فیلد version)",
    },
    "action_changed_since_you_read": {
        "en": (
            "action {action_id} changed since you read it (your version {version}, now "
            "{action_version}): reload it and try again"
        ),
        "fa": (
            "اقدام {action_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون "
            "{action_version}): آن را دوباره بارگذاری کنید و دوباره بکوشید"
        ),
    },
    "action_already": {
        "en": "action {action_id} is already {current}",
        "fa": "اقدام {action_id} پیش‌تر {current} است",
    },
    "assigned_progress_done_cancelled": {
        "en": "must be assigned, in_progress, done or cancelled",
        "fa": "باید assigned، in_progress، done یا cancelled باشد",
    },
    "safety_audit_required_each": {
        "en": "a safety audit is required: {audit_criteria}, each 0–3",
        "fa": "ممیزی ایمنی الزامی است: {audit_criteria}، هر یک ۰ تا ۳",
    },
    "score_0_3": {"en": "must be an integer 0–3", "fa": "باید عددی درست از ۰ تا ۳ باشد"},
    "send_version_you_read_if": {
        "en": "send the version you read (If-Match header or a version field)",
        "fa": "نسخه‌ای را که خواندید بفرستید (سرآیند If-Match یا فیلد version)",
    },
    "spot_changed_reload": {
        "en": (
            "spot {spot_id} changed since you read it (your version {version}, now "
            "{current}): reload it and try again"
        ),
        "fa": (
            "فضای {spot_id} پس از خواندن شما تغییر کرده است (نسخهٔ شما {version}، اکنون "
            "{current}): آن را دوباره بارگذاری کنید و دوباره بکوشید"
        ),
    },
    "active_agency": {"en": "{agency!r} is not an active agency", "fa": "{agency!r} دستگاه فعالی نیست"},
    "unknown_agencies": {"en": "unknown agency {unknown}", "fa": "دستگاه ناشناخته {unknown}"},
    "action_s_are_still_open": {
        "en": "{still_open} action(s) are still open: evaluate once they are done",
        "fa": "{still_open} اقدام هنوز باز است: پس از انجام آن‌ها ارزیابی کنید",
    },
    "action_has_been_done_yet": {
        "en": "no action has been done yet: nothing to evaluate",
        "fa": "هنوز هیچ اقدامی انجام نشده است: چیزی برای ارزیابی نیست",
    },
    "there_re_audit_evidence_needed": {
        "en": "there is no re-audit: evidence is needed to close a spot",
        "fa": "ممیزی دوباره‌ای نیست: برای بستن فضا شاهد لازم است",
    },
    "re_audit_shows_improvement_before": {
        "en": (
            "the re-audit shows no improvement (before {before:.2f}, after {after:.2f}): "
            "reopen the spot instead"
        ),
        "fa": (
            "ممیزی دوباره بهبودی نشان نمی‌دهد (پیش {before:.2f}، پس {after:.2f}): به جای آن "
            "فضا را دوباره باز کنید"
        ),
    },
    "unknown_category": {"en": "unknown category {category!r}", "fa": "دستهٔ ناشناخته {category!r}"},
    "spot_another_open_spot": {
        "en": "spot {duplicate_of} is not another open spot",
        "fa": "فضای {duplicate_of} فضای باز دیگری نیست",
    },
    "your_agency_has_action_on": {
        "en": "your agency has no action on this spot",
        "fa": "دستگاه شما اقدامی روی این فضا ندارد",
    },
    "characters_z_starting_with_letter": {
        "en": "2–40 characters: a-z, 0-9 and _, starting with a letter",
        "fa": "۲ تا ۴۰ نویسه: a-z، 0-9 و _، آغازشده با یک حرف",
    },
    "agency_with_code_already_exists": {
        "en": "an agency with code {code!r} already exists",
        "fa": "دستگاهی با کد {code!r} پیش‌تر هست",
    },
    "no_such_agency": {"en": "no agency {code!r}", "fa": "دستگاهی با کد {code!r} نیست"},
    "cannot_negative": {"en": "cannot be negative", "fa": "نمی‌تواند منفی باشد"},
    "training_held_neighbourhood_house_give": {
        "en": "a training is held in a neighbourhood house: give the neighbourhood",
        "fa": "آموزش در سرای محله برگزار می‌شود: محله را بنویسید",
    },
    "date_missing": {"en": "a date is required", "fa": "تاریخ الزامی است"},
    "stage_1_to_4": {"en": "must be 1, 2, 3 or 4", "fa": "باید ۱، ۲، ۳ یا ۴ باشد"},
    "body_s_name_with_whole": {
        "en": "a body's name with a whole number of people",
        "fa": "نام یک نهاد با شمار درستی از افراد",
    },
    "no_such_phase": {"en": "no phase {phase_id}", "fa": "مرحلهٔ برنامه‌ای با شمارهٔ {phase_id} نیست"},
    "four_numbers_minlon_minlat_maxlon": {
        "en": "four numbers: minlon,minlat,maxlon,maxlat",
        "fa": "چهار عدد: minlon,minlat,maxlon,maxlat",
    },
    "minlon_minlat_maxlon_maxlat_with": {
        "en": "must be minlon,minlat,maxlon,maxlat with min ≤ max, in degrees",
        "fa": "باید minlon,minlat,maxlon,maxlat با کمینه ≤ بیشینه، به درجه باشد",
    },
    "unknown_codes": {"en": "unknown {what} {unknown}", "fa": "{what} ناشناخته: {unknown}"},
    "open_resolved_rejected": {
        "en": "must be open, resolved or rejected",
        "fa": "باید open، resolved یا rejected باشد",
    },
    "limit_between": {"en": "must be between 1 and {max_limit}", "fa": "باید بین ۱ و {max_limit} باشد"},
    "zero_or_more": {"en": "must be 0 or more", "fa": "باید ۰ یا بیشتر باشد"},
    "unknown_time_day_day_evening": {
        "en": "unknown time of day {unknown_times} (day, evening, night)",
        "fa": "زمان ناشناخته از روز {unknown_times} (day، evening، night)",
    },
    "sign_see_spots_public_map": {
        "en": "sign in to see spots: the public map is off",
        "fa": "برای دیدن فضاها وارد شوید: نقشهٔ عمومی خاموش است",
    },
    "not_a_stage": {
        "en": "{value!r} is not a stage (1, 2, 3 or 4)",
        "fa": "{value!r} مرحله نیست (۱، ۲، ۳ یا ۴)",
    },
    "not_a_date": {
        "en": "{text!r} is not a date (2026-03-21 or ۱۴۰۵/۰۱/۰۱)",
        "fa": "{text!r} تاریخ نیست (۱۴۰۵/۰۱/۰۱ یا 2026-03-21)",
    },
    "pg_dump_custom_format_backup": {
        "en": "{path_name} is not a pg_dump custom-format backup",
        "fa": "{path_name} پشتیبان pg_dump با قالب custom نیست",
    },
    "text_may_contain_nul_x": {
        "en": "text may not contain a NUL (0x00) character",
        "fa": "متن نمی‌تواند نویسهٔ NUL (0x00) داشته باشد",
    },
    "not_a_whole_number": {"en": "{value!r} is not a whole number", "fa": "{value!r} عدد درست نیست"},
    "date_session_was_held_required": {
        "en": "the date the session was held is required",
        "fa": "تاریخ برگزاری جلسه الزامی است",
    },
    "facilitator_s_name_required": {
        "en": "the facilitator's name is required",
        "fa": "نام تسهیلگر الزامی است",
    },
    "at_least_one_participant": {"en": "at least one participant", "fa": "دست‌کم یک شرکت‌کننده"},
    "women_more_than_participants": {
        "en": "{women} women is more than the {participants} participants",
        "fa": "{women} زن بیش از {participants} شرکت‌کننده است",
    },
    "uuid_session_already_has_this": {
        "en": "uuid: session {found_id} already has this UUID in another neighbourhood",
        "fa": "جلسهٔ {found_id} با همین UUID در محلهٔ دیگری ثبت شده است",
    },
    "focus_group_does_exist": {
        "en": "focus group {session_id} does not exist",
        "fa": "گروه کانونی {session_id} وجود ندارد",
    },
    "geojson_feature": {"en": "not a GeoJSON Feature", "fa": "Feature در قالب GeoJSON نیست"},
    "feature_has_geometry": {"en": "the feature has no geometry", "fa": "این عارضه هندسه ندارد"},
    "must_be_object": {"en": "must be an object", "fa": "باید یک شیء باشد"},
    "missing": {"en": "missing", "fa": "نیامده است"},
    "featurecollection_with_at_least_one": {
        "en": "a FeatureCollection with at least one feature",
        "fa": "یک FeatureCollection با دست‌کم یک عارضه",
    },
    "at_most_features_at_once": {
        "en": "at most {max_points} features at once",
        "fa": "حداکثر {max_points} عارضه در هر بار",
    },
    "features_rejected_nothing_was_stored": {
        "en": (
            "{rejected} of {features} features rejected, nothing was stored (feature "
            "{feature}: {bad_field}: {reason})"
        ),
        "fa": (
            "{rejected} از {features} عارضه پذیرفته نشد و چیزی ذخیره نشد (عارضهٔ {feature}: "
            "{bad_field}: {reason})"
        ),
    },
    "geojson_featurecollection": {
        "en": "{path_name} is not a GeoJSON FeatureCollection",
        "fa": "{path_name} یک FeatureCollection در قالب GeoJSON نیست",
    },
    "wgs_longitude_latitude_crs_save": {
        "en": "{path_name} is not in WGS 84 longitude/latitude (crs {crs}); save it as GeoJSON in EPSG:4326",
        "fa": (
            "{path_name} به طول و عرض جغرافیایی WGS 84 نیست (crs {crs})؛ آن را به صورت "
            "GeoJSON در EPSG:4326 ذخیره کنید"
        ),
    },
    "not_a_uuid": {"en": "not a UUID", "fa": "UUID نیست"},
    "use_day_evening_night": {
        "en": "{tod!r}: use day, evening or night (روز، عصر، شب)",
        "fa": "{tod!r}: روز، عصر یا شب (day، evening، night) بنویسید",
    },
    "not_geojson": {"en": "{path_name} is not GeoJSON ({exc})", "fa": "{path_name} GeoJSON نیست ({exc})"},
    "object_criterion_score": {"en": "an object of criterion: score", "fa": "شیئی از «معیار: امتیاز»"},
    "unknown_criterion_use": {
        "en": "unknown criterion; use {audit_keys}",
        "fa": "معیار ناشناخته؛ از این‌ها استفاده کنید: {audit_keys}",
    },
    "coordinate_reference_system_auto": {
        "en": "{crs!r} is not a coordinate reference system (auto, 4326, 32639)",
        "fa": "{crs!r} دستگاه مختصات مرجع نیست (auto، 4326، 32639)",
    },
    "not_a_number": {"en": "{value!r} is not a number", "fa": "{value!r} عدد نیست"},
    "empty": {"en": "empty", "fa": "خالی است"},
    "unknown_category_in_row": {
        "en": "unknown category {raw_category!r}",
        "fa": "دستهٔ ناشناخته {raw_category!r}",
    },
    "missing_other_one_given": {
        "en": "missing (the other one is given)",
        "fa": "نیامده است (دیگری آمده است)",
    },
    "cannot_converted_from": {
        "en": "({x}, {y}) cannot be converted from {crs}",
        "fa": "({x}, {y}) را نمی‌توان از {crs} تبدیل کرد",
    },
    "value_in_future": {"en": "{value} is in the future", "fa": "{value} در آینده است"},
    "day_evening_night_nor_time": {
        "en": "{when!r} is not day, evening or night (روز، عصر، شب) nor a time (22:30)",
        "fa": "{when!r} نه روز، عصر یا شب است و نه ساعت (22:30)",
    },
    "coordinates_neighbourhood": {
        "en": "no coordinates and no neighbourhood",
        "fa": "نه مختصات دارد و نه محله",
    },
    "unknown_neighbourhood": {"en": "unknown neighbourhood {named!r}", "fa": "محلهٔ ناشناخته {named!r}"},
    "are_neither_degrees_nor_utm": {
        "en": "({x}, {y}) are neither degrees nor UTM 39N metres",
        "fa": "({x}, {y}) نه درجه است و نه متر UTM 39N",
    },
    "category_column_category_among": {
        "en": "no category column (نوع, category) among: {columns}",
        "fa": "ستون دسته (نوع، category) در میان این ستون‌ها نیست: {columns}",
    },
    "unknown_format_send_csv_xlsx": {
        "en": "{path_name}: unknown format; send CSV, XLSX, GeoJSON, GeoPackage or a zipped Shapefile",
        "fa": "{path_name}: قالب ناشناخته؛ CSV، XLSX، GeoJSON، GeoPackage یا Shapefile فشرده بفرستید",
    },
    "readable_xlsx_workbook": {
        "en": "{path_name} is not a readable XLSX workbook ({exc})",
        "fa": "{path_name} کارپوشهٔ XLSX خواندنی نیست ({exc})",
    },
    "has_coordinate_reference_system_coordinates": {
        "en": (
            "{path_name} has no coordinate reference system and its coordinates are neither "
            "degrees nor UTM 39N metres: name it with --crs"
        ),
        "fa": (
            "{path_name} دستگاه مختصات مرجع ندارد و مختصاتش نه درجه است و نه متر UTM 39N: آن "
            "را با --crs نام ببرید"
        ),
    },
    "valid_utf_after_line_save": {
        "en": "{path_name} is not valid UTF-8 after line {line}: save it as UTF-8 or Windows-1256",
        "fa": "{path_name} پس از سطر {line} متن UTF-8 معتبر نیست: آن را با UTF-8 یا Windows-1256 ذخیره کنید",
    },
    "not_csv": {
        "en": "{path_name}, line {line_num}: not CSV ({exc})",
        "fa": "{path_name}، سطر {line_num}: CSV نیست ({exc})",
    },
    "report_with_uuid": {
        "en": "no report with UUID {report_uuid}",
        "fa": "گزارشی با UUID {report_uuid} نیست",
    },
    "file_empty": {"en": "the file is empty", "fa": "پرونده خالی است"},
    "kb_over_mb_limit_resize": {
        "en": "{kb} KB is over the {mb} MB limit; resize the photo first",
        "fa": "{kb} کیلوبایت بیش از سقف {mb} مگابایت است؛ نخست اندازهٔ عکس را کوچک کنید",
    },
    "jpeg_png_webp_image": {"en": "not a JPEG, PNG or WebP image", "fa": "تصویر JPEG، PNG یا WebP نیست"},
    "photo_belongs_another_report": {
        "en": "photo {photo_uuid} belongs to another report",
        "fa": "عکس {photo_uuid} از آنِ گزارش دیگری است",
    },
    "report_has_photo": {
        "en": "report {report_uuid} has no photo {photo_uuid}",
        "fa": "گزارش {report_uuid} عکس {photo_uuid} ندارد",
    },
    "service_code_service": {
        "en": "service_code: no service {service_code!r}",
        "fa": "خدمتی با کد {service_code!r} نیست",
    },
    "api_key_required_post_service": {
        "en": "api_key: required to post a service request",
        "fa": "برای ثبت درخواست خدمت، کلید API (api_key) لازم است",
    },
    "api_key_unknown_key": {"en": "api_key: unknown key", "fa": "کلید API (api_key) ناشناخته است"},
    "location_required_lat_long_address": {
        "en": "a location is required: lat and long, or an address_string",
        "fa": "مکان الزامی است: lat و long، یا address_string",
    },
    "names_neighbourhood_district_give_lat": {
        "en": "names no neighbourhood of District 22; give lat and long instead",
        "fa": "هیچ محله‌ای از منطقهٔ ۲۲ را نام نمی‌برد؛ به جای آن lat و long بدهید",
    },
    "not_an_email": {"en": "{email!r} is not an email address", "fa": "{email!r} نشانی رایانامه نیست"},
    "jurisdiction_id": {
        "en": "jurisdiction_id: not {jurisdiction_id!r}",
        "fa": "jurisdiction_id باید {jurisdiction_id!r} باشد",
    },
    "required_see_services_json": {
        "en": "required (see services.json)",
        "fa": "الزامی است (services.json را ببینید)",
    },
    "service_see_services_json": {
        "en": "no service {service_code!r} (see services.json)",
        "fa": "خدمتی با کد {service_code!r} نیست (services.json را ببینید)",
    },
    "http_s_url": {"en": "an http(s) URL", "fa": "یک نشانی http(s)"},
    "service_request_id_request": {
        "en": "service_request_id: no request {request_id!r}",
        "fa": "درخواستی با شناسهٔ {request_id!r} نیست",
    },
    "number_decimal_degrees": {
        "en": "{text!r} is not a number in decimal degrees",
        "fa": "{text!r} عددی به درجهٔ اعشاری نیست",
    },
    "give_both_lat_long": {"en": "give both lat and long", "fa": "هر دو lat و long را بدهید"},
    "at_most_200_characters": {"en": "at most 200 characters", "fa": "حداکثر ۲۰۰ نویسه"},
    "iso_date_time_t": {
        "en": "{text!r} is not an ISO 8601 date-time (2026-03-21T08:00:00+03:30)",
        "fa": "{text!r} تاریخ-زمان ISO 8601 نیست (2026-03-21T08:00:00+03:30)",
    },
    "open_closed": {"en": "open or closed", "fa": "open یا closed"},
    "token_request_with_token": {
        "en": "token: no request with token {token!r}",
        "fa": "درخواستی با نشانهٔ {token!r} نیست",
    },
    "not_a_request_id": {"en": "{part!r} is not a request id", "fa": "{part!r} شناسهٔ درخواست نیست"},
    "no_such_service": {"en": "no service {unknown}", "fa": "خدمت ناشناخته {unknown}"},
    "give_coordinates_lat_lon_geometry": {
        "en": "give coordinates (lat/lon), a geometry, or the neighbourhood",
        "fa": "مختصات (lat/lon)، هندسه یا محله را بدهید",
    },
    "day_evening_night": {
        "en": "must be day, evening or night",
        "fa": "باید روز، عصر یا شب (day، evening، night) باشد",
    },
    "not_a_score": {
        "en": "{value!r} is not a score 0, 1, 2 or 3",
        "fa": "{value!r} امتیاز ۰، ۱، ۲ یا ۳ نیست",
    },
    "invalid_geometry": {"en": "invalid geometry ({reason})", "fa": "هندسهٔ نامعتبر ({reason})"},
    "point_line_polygon": {
        "en": "{kind} is not a point, line or polygon",
        "fa": "{kind} نقطه، خط یا چندضلعی نیست",
    },
    "no_area_with_code": {
        "en": "no neighbourhood with code {area_code!r}",
        "fa": "محله‌ای با کد {area_code!r} نیست",
    },
    "no_such_report": {"en": "no report {report_id}", "fa": "گزارش {report_id} نیست"},
    "geojson_geometry": {
        "en": "not a GeoJSON geometry ({message_primary})",
        "fa": "هندسهٔ GeoJSON نیست ({message_primary})",
    },
    "missing_wrong_csrf_token_send": {
        "en": "missing or wrong CSRF token (send the safemap_csrf cookie's value as X-CSRF-Token)",
        "fa": "نشانهٔ CSRF نیامده یا نادرست است (مقدار کوکی safemap_csrf را در X-CSRF-Token بفرستید)",
    },
    "sign_first_bearer_token_session": {
        "en": "sign in first: a bearer token or a session is required",
        "fa": "نخست وارد شوید: نشانهٔ bearer یا نشست لازم است",
    },
    "authorization_header_bearer_token": {
        "en": "the Authorization header must be 'Bearer <token>'",
        "fa": "سرآیند Authorization باید 'Bearer <token>' باشد",
    },
    "token_unknown_expired_revoked": {
        "en": "the token is unknown, expired or revoked",
        "fa": "این نشانه ناشناخته، منقضی یا باطل‌شده است",
    },
    "layer_needs_signed_user": {
        "en": "the {private} layer needs a signed-in user",
        "fa": "لایهٔ {private} کاربر واردشده می‌خواهد",
    },
    "if_match_header_version_field": {
        "en": "the If-Match header and the version field disagree",
        "fa": "سرآیند If-Match و فیلد version با هم نمی‌خوانند",
    },
    "version_as_etag_e_g": {
        "en": 'must be the version as an ETag, e.g. "3"',
        "fa": 'باید نسخه به صورت ETag باشد، مانند "3"',
    },
    "open_resource_for_this_method": {
        "en": "no Open311 resource {rest!r} for this method (see /open311/v2/discovery.json)",
        "fa": "منبع Open311 با نام {rest!r} برای این روش نیست (/open311/v2/discovery.json را ببینید)",
    },
    "use_json_xml": {"en": "{fmt!r}: use .json or .xml", "fa": "{fmt!r}: از .json یا .xml استفاده کنید"},
    "json_object_parameters": {"en": "a JSON object of parameters", "fa": "شیئی JSON از پارامترها"},
    "valid_json": {"en": "not valid JSON", "fa": "JSON معتبر نیست"},
    "facilitators_report_from": {
        "en": "facilitators report from {facilitator_sources}",
        "fa": "تسهیلگران تنها از این منبع‌ها گزارش می‌دهند: {facilitator_sources}",
    },
    "collection_needs_bearer_token": {
        "en": "the {collection_id} collection needs a bearer token",
        "fa": "مجموعهٔ {collection_id} نشانهٔ bearer می‌خواهد",
    },
    "json_html": {"en": "must be json or html", "fa": "باید json یا html باشد"},
    "unknown_parameter_known": {
        "en": "unknown parameter (known: {allowed})",
        "fa": "پارامتر ناشناخته (پارامترهای شناخته: {allowed})",
    },
    "larger_than_mb_use_command": {
        "en": "larger than {mb} MB: use the command line (safemap import reports)",
        "fa": "بزرگ‌تر از {mb} مگابایت: از خط فرمان استفاده کنید (safemap import reports)",
    },
    "day_in_future": {"en": "{jalali} ({day}) is in the future", "fa": "{jalali} ({day}) در آینده است"},
    "period_reversed": {"en": "the period ends before it starts", "fa": "پایان بازه پیش از آغاز آن است"},
    "request_body_too_large": {
        "en": "the request is larger than {mb} MB",
        "fa": "درخواست بزرگ‌تر از {mb} مگابایت است",
    },
    "too_many_sign_in_attempts": {
        "en": "too many sign-in attempts; try again in {seconds} seconds",
        "fa": "تلاش‌های ورود بیش از اندازه بوده است؛ {seconds} ثانیهٔ دیگر دوباره بکوشید",
    },
    "wrong_current_password": {"en": "the current password is wrong", "fa": "گذرواژهٔ کنونی نادرست است"},
    "json_too_deep": {
        "en": "JSON nested deeper than {depth} levels",
        "fa": "JSON بیش از {depth} لایهٔ تودرتو دارد",
    },
    "database_down_retry": {
        "en": "the database is not reachable; try again in a moment",
        "fa": "پایگاه داده در دسترس نیست؛ اندکی بعد دوباره بکوشید",
    },
}

# The names users know fields by; a field missing here is shown as its code.
FIELDS: dict[str, dict[str, str]] = {
    "held_on": {"en": "held_on", "fa": "تاریخ برگزاری"},
    "since": {"en": "since", "fa": "از تاریخ"},
    "until": {"en": "until", "fa": "تا تاریخ"},
    "end_date": {"en": "end_date", "fa": "تاریخ پایان"},
}


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue's sentence for `key` in `lang`, filled in; a text that is no key is shown as given."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    # A parameter that is itself an error (the first refused feature of a batch) is read in the same language.
    params = {k: v.reason_text(lang) if isinstance(v, InvalidInput) else v for k, v in params.items()}
    return entry["fa" if lang == "fa" else "en"].format(**params)


def field_label(field: str, lang: str = "en") -> str:
    """How a field is named to a reader of `lang`."""
    return FIELDS.get(field, {}).get(lang, field)


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
