// WMSService
