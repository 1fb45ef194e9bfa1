"""The curators' desk: conflict decisions, readers' error reports, review notes; the phase
vocabulary declared on `Trial.phases`. The curator group gets what the desk needs."""

import django.contrib.postgres.fields
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

DESK_PERMISSIONS = [
    "view_errorreport",
    "change_errorreport",
    "view_conflictdecision",
    "add_conflictdecision",
    "change_conflictdecision",
    *(f"{action}_reviewnote" for action in ("view", "add", "change", "delete")),
]


def grant_desk_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; the group needs them now.
    app_config = apps.get_app_config("catalogue")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name="curator").first()
    if group:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="catalogue", codename__in=DESK_PERMISSIONS
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0012_history_of_first_posted'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='trial',
            name='phases',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('EARLY_PHASE1', 'Early phase 1'), ('PHASE1', 'Phase 1'), ('PHASE2', 'Phase 2'), ('PHASE3', 'Phase 3'), ('PHASE4', 'Phase 4'), ('NA', 'Not applicable')], max_length=16), blank=True, default=list, size=None),
        ),
        migrations.AlterField(
            model_name='trialevent',
            name='phases',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('EARLY_PHASE1', 'Early phase 1'), ('PHASE1', 'Phase 1'), ('PHASE2', 'Phase 2'), ('PHASE3', 'Phase 3'), ('PHASE4', 'Phase 4'), ('NA', 'Not applicable')], max_length=16), blank=True, default=list, size=None),
        ),
        migrations.CreateModel(
            name='ConflictDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=64)),
                ('conflict', models.JSONField(default=list)),
                ('decision', models.CharField(choices=[('took', "took a source's value"), ('kept', "kept the catalogue's value")], max_length=8)),
                ('source', models.CharField(blank=True, max_length=255)),
                ('value', models.JSONField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('trial', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conflict_decisions', to='catalogue.trial')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['trial', 'field'],
            },
        ),
        migrations.CreateModel(
            name='ConflictDecisionEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('field', models.CharField(max_length=64)),
                ('conflict', models.JSONField(default=list)),
                ('decision', models.CharField(choices=[('took', "took a source's value"), ('kept', "kept the catalogue's value")], max_length=8)),
                ('source', models.CharField(blank=True, max_length=255)),
                ('value', models.JSONField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='catalogue.conflictdecision')),
                ('trial', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='catalogue.trial')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ErrorReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=64)),
                ('text', models.TextField()),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('address_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('status', models.CharField(choices=[('open', 'Open'), ('handled', 'Handled')], default='open', max_length=8)),
                ('handled_at', models.DateTimeField(blank=True, null=True)),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('trial', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='error_reports', to='catalogue.trial')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ErrorReportEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('field', models.CharField(max_length=64)),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('open', 'Open'), ('handled', 'Handled')], default='open', max_length=8)),
                ('handled_at', models.DateTimeField(blank=True, null=True)),
                ('handled_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='catalogue.errorreport')),
                ('trial', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='catalogue.trial')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ReviewNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('trial', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_notes', to='catalogue.trial')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['trial', 'created_at'],
            },
        ),
        migrations.CreateModel(
            name='ReviewNoteEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='catalogue.reviewnote')),
                ('trial', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='catalogue.trial')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddConstraint(
            model_name='conflictdecision',
            constraint=models.UniqueConstraint(fields=('trial', 'field'), name='unique_conflict_decision'),
        ),
        migrations.AddIndex(
            model_name='errorreport',
            index=models.Index(fields=['status', 'trial'], name='catalogue_e_status_c2935c_idx'),
        ),
        migrations.RunPython(grant_desk_permissions, migrations.RunPython.noop),
    ]
