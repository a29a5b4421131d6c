"""Documents: versions, the blob store, upload checks, downloads."""

from loket.documents.blobstore import DEFAULT_MIN_FREE, BlobStore


def includeme(config):
    settings = config.get_settings()
    min_free_mb = settings.get("loket.blob_min_free_mb")
    min_free = int(min_free_mb) * 1024 * 1024 if min_free_mb else DEFAULT_MIN_FREE
    config.registry["loket.blobstore"] = BlobStore(settings["loket.blob_dir"], min_free)
    config.add_dossier_child("documenten", "loket.documents.resources.DossierDocuments")
    config.scan(".views")
    config.scan(".errors")
