"""Documents: versions, the blob store, upload checks, downloads."""

from loket.documents.blobstore import BlobStore


def includeme(config):
    settings = config.get_settings()
    config.registry["loket.blobstore"] = BlobStore(settings["loket.blob_dir"])
    config.scan(".views")
