"""The "curator" group: exactly what curating needs; managing users stays with superusers."""

from django.db import migrations

CHILD_ROWS = (
    "arm",
    "intervention",
    "eligibilitycriterion",
    "outcome",
    "location",
    "reference",
    "relatedtrial",
    "investigator",
    "trialsponsor",
)
PERMISSIONS = {
    "catalogue": [
        "view_trial",
        "change_trial",
        "view_reviewitem",
        "view_sponsor",
        "change_sponsor",
        "view_sponsoralias",
        "add_sponsoralias",
        "change_sponsoralias",
        "delete_sponsoralias",
        "view_curatorlock",
        "delete_curatorlock",
        "view_curatordeletion",
        "view_sourcedocument",
        *(
            f"{action}_{model}"
            for model in CHILD_ROWS
            for action in ("view", "add", "change", "delete")
        ),
    ],
    "pghistory": ["view_events"],
}


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curator")
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_curation"),
        ("pghistory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
