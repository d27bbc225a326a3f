; Lanboard's additions to electron-builder's NSIS installer.
; A per-machine install runs elevated, so it can let students' devices reach
; the hub: one program rule (TCP for the hub port, UDP 5353 for mDNS) on the
; private and domain profiles only, never public networks. The rule is deleted
; before it is added (no duplicates on upgrade) and on uninstall.
; A per-user install has no admin rights: Windows asks on the first start
; instead (see README, "Installing on Windows").

!macro customInstall
  ${if} $installMode == "all"
    nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="Lanboard" program="$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    nsExec::ExecToLog 'netsh advfirewall firewall add rule name="Lanboard" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes profile=private,domain'
  ${endif}
!macroend

!macro customUnInstall
  ${if} $installMode == "all"
    nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="Lanboard" program="$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
  ${endif}
!macroend
