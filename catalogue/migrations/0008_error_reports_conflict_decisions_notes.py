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
        ('catalogue', '0007_search_words'),
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
        pgtrigger.migrations.AddTrigger(
            model_name='conflictdecision',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_conflictdecisionevent" ("conflict", "created_at", "decision", "field", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "trial_id", "updated_at", "user_id", "value") VALUES (NEW."conflict", NEW."created_at", NEW."decision", NEW."field", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."source", NEW."trial_id", NEW."updated_at", NEW."user_id", NEW."value"); RETURN NULL;', hash='aec808d74de5df3f24cbd009798f4c7e0162d745', operation='INSERT', pgid='pgtrigger_insert_insert_03723', table='catalogue_conflictdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='conflictdecision',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "catalogue_conflictdecisionevent" ("conflict", "created_at", "decision", "field", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "trial_id", "updated_at", "user_id", "value") VALUES (NEW."conflict", NEW."created_at", NEW."decision", NEW."field", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."source", NEW."trial_id", NEW."updated_at", NEW."user_id", NEW."value"); RETURN NULL;', hash='610b00c82c580628aaba7a0fb41ed409e76978f0', operation='UPDATE', pgid='pgtrigger_update_update_7811c', table='catalogue_conflictdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='conflictdecision',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_conflictdecisionevent" ("conflict", "created_at", "decision", "field", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "trial_id", "updated_at", "user_id", "value") VALUES (OLD."conflict", OLD."created_at", OLD."decision", OLD."field", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."source", OLD."trial_id", OLD."updated_at", OLD."user_id", OLD."value"); RETURN NULL;', hash='345babf1b724b9b94f612dce64ffee237ab9de77', operation='DELETE', pgid='pgtrigger_delete_delete_4ce10', table='catalogue_conflictdecision', when='AFTER')),
        ),
        migrations.AddIndex(
            model_name='errorreport',
            index=models.Index(fields=['status', 'trial'], name='catalogue_e_status_c2935c_idx'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='errorreport',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_errorreportevent" ("created_at", "field", "handled_at", "handled_by_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "text", "trial_id") VALUES (NEW."created_at", NEW."field", NEW."handled_at", NEW."handled_by_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."status", NEW."text", NEW."trial_id"); RETURN NULL;', hash='e38b1b65e388197ba2ecc2723359378284ea9171', operation='INSERT', pgid='pgtrigger_insert_insert_709b2', table='catalogue_errorreport', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='errorreport',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."field" IS DISTINCT FROM (NEW."field") OR OLD."handled_at" IS DISTINCT FROM (NEW."handled_at") OR OLD."handled_by_id" IS DISTINCT FROM (NEW."handled_by_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."text" IS DISTINCT FROM (NEW."text") OR OLD."trial_id" IS DISTINCT FROM (NEW."trial_id"))', func='INSERT INTO "catalogue_errorreportevent" ("created_at", "field", "handled_at", "handled_by_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "text", "trial_id") VALUES (NEW."created_at", NEW."field", NEW."handled_at", NEW."handled_by_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."status", NEW."text", NEW."trial_id"); RETURN NULL;', hash='de8d81dbd62b4432348c9c7b47be665b23dc6915', operation='UPDATE', pgid='pgtrigger_update_update_572e0', table='catalogue_errorreport', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='errorreport',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_errorreportevent" ("created_at", "field", "handled_at", "handled_by_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "text", "trial_id") VALUES (OLD."created_at", OLD."field", OLD."handled_at", OLD."handled_by_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."status", OLD."text", OLD."trial_id"); RETURN NULL;', hash='e5875a1407f1cbb3db254016c95a697b90cb8265', operation='DELETE', pgid='pgtrigger_delete_delete_11da4', table='catalogue_errorreport', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reviewnote',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_reviewnoteevent" ("created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "trial_id", "user_id") VALUES (NEW."created_at", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."text", NEW."trial_id", NEW."user_id"); RETURN NULL;', hash='1a9b1ee3eaa5fbdf5ed36f934f1bf1105beddebc', operation='INSERT', pgid='pgtrigger_insert_insert_edf7c', table='catalogue_reviewnote', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reviewnote',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "catalogue_reviewnoteevent" ("created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "trial_id", "user_id") VALUES (NEW."created_at", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."text", NEW."trial_id", NEW."user_id"); RETURN NULL;', hash='1742a5d1ebf67bf3c79fe90419ac5451e734f96a', operation='UPDATE', pgid='pgtrigger_update_update_cad27', table='catalogue_reviewnote', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reviewnote',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_reviewnoteevent" ("created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "trial_id", "user_id") VALUES (OLD."created_at", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."text", OLD."trial_id", OLD."user_id"); RETURN NULL;', hash='7ae397394d1855eabe9ec06f7693d86f0e0e6f54', operation='DELETE', pgid='pgtrigger_delete_delete_f15f3', table='catalogue_reviewnote', when='AFTER')),
        ),
        migrations.RunPython(grant_desk_permissions, migrations.RunPython.noop),
    ]
