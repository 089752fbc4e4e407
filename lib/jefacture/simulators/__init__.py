"""Local stand-ins for outside services (timestamp authority, ...), for development and tests."""
