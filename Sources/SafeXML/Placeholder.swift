// SafeXML
