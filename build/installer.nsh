; Lanboard's additions to electron-builder's NSIS installer
; (docs/desktop.md#installing-on-windows-for-all-users-or-only-for-me).
;
; Firewall. An install for all users runs elevated, so it adds the rule that
; lets students' devices reach the hub: one program rule (every port the hub
; is set to, and UDP 5353 for mDNS), inbound, on the Private and Domain
; profiles only, never Public. It is deleted before it is added (no
; duplicates on upgrade) and when the app is uninstalled. An install only for
; the current user has no administrator rights; the app asks for them once,
; on its first start, to add the same rule (app/firewall-offer.ts).
;
; Data. The classes, boards and settings live in the user's
; %LOCALAPPDATA%\Lanboard (%APPDATA%\Lanboard before it moved there).
; Uninstalling asks whether to delete them too, and keeps them unless the
; teacher says yes: a silent uninstall (/S) and an upgrade (which runs the
; old uninstaller with --updated) never delete them.

!macro customInstall
  ${if} $installMode == "all"
    nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="Lanboard" program="$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    nsExec::ExecToLog 'netsh advfirewall firewall add rule name="Lanboard" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes profile=private,domain'
  ${endif}
!macroend

!macro customUnInstall
  ${ifNot} ${isUpdated}
    ${if} $installMode == "all"
      nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="Lanboard" program="$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    ${endif}
    ${if} ${Cmd} `MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "Also delete Lanboard's classes, boards and settings from this computer?$\r$\n$\r$\nChoose No to keep them: a later install finds them again. They are in %LOCALAPPDATA%\Lanboard." /SD IDNO IDYES`
      ; The user's own folders, also when uninstalling for all users.
      SetShellVarContext current
      RMDir /r "$LOCALAPPDATA\Lanboard"
      RMDir /r "$APPDATA\Lanboard"
      ${if} $installMode == "all"
        SetShellVarContext all
      ${endif}
    ${endif}
  ${endif}
!macroend
