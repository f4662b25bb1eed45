"""Ship a few export presets for everyone ("Unity mobile": FBX, low, 1k, ...)."""

from django.db import migrations

SHIPPED = [
    ("Unity mobile", "fbx", "low", "1k"),
    ("Unreal desktop", "fbx", "full", "2k"),
    ("Web viewer", "glb", "medium", "1k"),
    ("AR Quick Look", "usdz", "medium", "1k"),
    ("3D printing", "stl", "full", "original"),
]


def add(apps, schema_editor):
    ExportPreset = apps.get_model("assets", "ExportPreset")
    for name, fmt, quality, textures in SHIPPED:
        ExportPreset.objects.get_or_create(
            owner=None,
            name=name,
            defaults={"format": fmt, "quality": quality, "texture_size": textures},
        )


def remove(apps, schema_editor):
    ExportPreset = apps.get_model("assets", "ExportPreset")
    ExportPreset.objects.filter(owner=None, name__in=[row[0] for row in SHIPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [("assets", "0004_export_jobs_presets")]

    operations = [migrations.RunPython(add, remove)]
