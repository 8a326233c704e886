from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_points_balance_check')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OrderOffer',
            name='order',
            field=fields.ForeignKeyField('models.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE),
        ),
    ]
