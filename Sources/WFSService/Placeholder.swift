// WFSService
