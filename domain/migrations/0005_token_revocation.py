from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_loyalty')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TokenRevocation',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('value', fields.BigIntField()),
                ('expires_at', fields.BigIntField(db_index=True)),
            ],
            options={'table': 'token_revocation', 'app': 'models', 'pk_attr': 'key'},
            bases=['Model'],
        ),
    ]
