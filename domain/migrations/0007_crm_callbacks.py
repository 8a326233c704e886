from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.crm.callbacks import Kind
from domain.crm.models import CallbackOutcome, CallbackStatus, MessageStatus
from domain.enums import VoucherKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

async def restore_voucher_ordinal_unique(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await client.execute_script(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_voucher_member__ordinal" '
            'ON "voucher" ("member_id", "ordinal")'
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0006_channel')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Baby',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='babies', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('birthday', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'baby', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CallbackDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('created', fields.IntField(default=0)),
                ('generated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'callback_day', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row per day whose tasks were made: its unique day is what makes generation happen'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CallbackTask',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='FIRST_PURCHASE: FIRST_PURCHASE\nRUN_OUT: RUN_OUT\nBIRTHDAY: BIRTHDAY\nLAPSED: LAPSED', enum_type=Kind, max_length=16)),
                ('status', fields.CharEnumField(default=CallbackStatus.OPEN, description='OPEN: OPEN\nDONE: DONE\nCLOSED: CLOSED', enum_type=CallbackStatus, max_length=8)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='callback_tasks', on_delete=OnDelete.CASCADE)),
                ('store', fields.ForeignKeyField('models.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='callback_tasks', on_delete=OnDelete.CASCADE)),
                ('due_on', fields.DateField()),
                ('occasion', fields.CharField(max_length=64)),
                ('reason', fields.CharField(max_length=500)),
                ('runs_out_on', fields.DateField(null=True)),
                ('open_until', fields.DateField(null=True)),
                ('outcome', fields.CharEnumField(null=True, description='REACHED: REACHED\nNO_ANSWER: NO_ANSWER\nWRONG_NUMBER: WRONG_NUMBER\nDECLINED: DECLINED', enum_type=CallbackOutcome, max_length=16)),
                ('note', fields.TextField(null=True, unique=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_by', fields.ForeignKeyField('models.Staff', source_field='done_by_id', null=True, db_constraint=True, to_field='id', related_name='callback_tasks_done', on_delete=OnDelete.SET_NULL)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'callback_task', 'app': 'models', 'unique_together': (('member', 'kind', 'occasion'),), 'indexes': [Index(fields=['store_id', 'due_on']), Index(fields=['status', 'open_until'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=32)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=MessageStatus.QUEUED, description='QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED', enum_type=MessageStatus, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A message to a member in the outbox, which the worker delivers at least once.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Voucher',
            options={'table': 'voucher', 'app': 'models', 'unique_together': (('member', 'ordinal'),), 'pk_attr': 'id', 'table_description': 'A free product: a member pack ("buy six, get one"), a welcome or a birthday gift.'},
        ),
        ops.AddField(
            model_name='Voucher',
            name='kind',
            # Nullable first: the vouchers there are get their kind below, then it is required.
            field=fields.CharEnumField(null=True, description='SIX_FOR_ONE: SIX_FOR_ONE\nWELCOME: WELCOME\nBIRTHDAY: BIRTHDAY', enum_type=VoucherKind, max_length=16),
        ),
        ops.AddField(
            model_name='Voucher',
            name='occasion',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='Voucher',
            name='store',
            field=fields.ForeignKeyField('models.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='collectable_vouchers', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Voucher',
            name='valid_until',
            field=fields.DateField(null=True),
        ),
        # Every voucher issued so far is a "buy six, get one".
        ops.RunSQL("UPDATE \"voucher\" SET \"kind\" = 'SIX_FOR_ONE' WHERE \"kind\" IS NULL"),
        ops.AlterField(
            model_name='Voucher',
            name='kind',
            field=fields.CharEnumField(default=VoucherKind.SIX_FOR_ONE, description='SIX_FOR_ONE: SIX_FOR_ONE\nWELCOME: WELCOME\nBIRTHDAY: BIRTHDAY', enum_type=VoucherKind, max_length=16),
        ),
        # Only SIX_FOR_ONE vouchers are counted.
        ops.AlterField(
            model_name='Voucher',
            name='ordinal',
            field=fields.IntField(null=True),
        ),
        # SQLite alters a column by copying the table, and tortoise's copy leaves out the
        # table's unique_together: put (member, ordinal) back (PostgreSQL keeps it).
        ops.RunPython(restore_voucher_ordinal_unique),
    ]
