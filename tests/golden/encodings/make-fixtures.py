#!/usr/bin/env python3
"""Writes the encoding fixtures: one French ISO 19139 record encoded as
ISO-8859-1, windows-1252 and UTF-16 (with BOM).  Run from this folder; the
outputs are committed.  The title must normalise to the same UTF-8 text in
every encoding (ISO-8859-1 has no œ nor ’, so its title uses oe and ')."""

TEMPLATE = """<?xml version="1.0" encoding="{enc}"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>fr-encodage-{name}</gco:CharacterString></gmd:fileIdentifier>
  <gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="fre"/></gmd:language>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>{title}</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Fiche de test d'encodage : é, è, à, ç.</gco:CharacterString></gmd:abstract>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>
"""

FULL = "Œuvres d’art et équipements à l’école"   # windows-1252 and UTF-16
LATIN1 = "Équipements de la voirie à Sète"          # ISO-8859-1

def write(path, enc, codec, title, name):
    text = TEMPLATE.format(enc=enc, title=title, name=name)
    data = text.encode(codec)
    with open(path, "wb") as f:
        f.write(data)

write("record-iso-8859-1.xml", "ISO-8859-1", "latin-1", LATIN1, "latin1")
write("record-utf-8-latin1-title.xml", "UTF-8", "utf-8", LATIN1, "utf8a")
write("record-windows-1252.xml", "windows-1252", "cp1252", FULL, "cp1252")
write("record-utf-16.xml", "UTF-16", "utf-16", FULL, "utf16")  # python writes a BOM
write("record-utf-8.xml", "UTF-8", "utf-8", FULL, "utf8")
