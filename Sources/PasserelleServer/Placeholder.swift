// PasserelleServer
