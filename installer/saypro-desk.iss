; SayPro Desk: per-machine Windows installer (Inno Setup 6).
;
; Compile after building the PyInstaller bundle (build.spec), from the repository root:
;   iscc /DAppVersion=0.1.0 installer\saypro-desk.iss
; Optional defines:
;   /DBundleDir=<folder>    the one-folder bundle (default: ..\dist\SayPro Desk, relative to this file)
;   /DOutputDir=<folder>    where the setup .exe goes (default: ..\dist\installer)
;   /DSignToolName=<name>   sign Setup and its uninstaller with the Sign Tool of that name, given to iscc as
;                           /S<name>=<command> (see .github/workflows/windows-build.yml and docs/DEPLOYMENT.md)
;
; Setup command line (see docs/DEPLOYMENT.md):
;   SayProDesk-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/SERVERURL=https://desk.example]
;   /SERVERURL writes [server] url into {commonappdata}\SayPro Desk\config.ini (other keys are kept). Without it an
;   existing config.ini is left as it is; a missing one is created with every key commented out.
; Uninstaller command line:
;   "{app}\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/PURGEDATA]
;   Keeps every user's data and the machine config unless /PURGEDATA is given (an interactive uninstall asks).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=1.2.3 installer\saypro-desk.iss
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\SayPro Desk"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist\installer"
#endif

#define AppName "SayPro Desk"
#define AppExeName "SayPro Desk.exe"
#define CliExeName "saypro-cli.exe"
#define AppPublisher "SayPro"
; Never change the AppId: it is how Setup finds an installed copy to upgrade in place and how Windows lists it.
#define AppId "{{AE06B040-AC75-4F8F-880C-929DE0C37CAC}"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoCompany={#AppPublisher}
; Per machine, for every user of the PC; needs an administrator (or SYSTEM, for software deployment tools).
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
DefaultDirName={autopf}\{#AppName}
; An upgrade goes to the folder of the installed copy (UsePreviousAppDir), without asking again (DisableDirPage=auto).
UsePreviousAppDir=yes
DisableDirPage=auto
DisableProgramGroupPage=yes
; A running SayPro Desk holds files that an upgrade replaces: Setup closes it through the Restart Manager (silent
; installs too) and does not start it again. "force" ends it even while a dialog asks about unsaved edits: the app
; writes form input to a draft half a second after each keystroke and offers it back at the next start, so a
; forced close loses no saved work, and an upgrade pushed by IT never stalls on an open dialog.
CloseApplications=force
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no
SetupIconFile=..\resources\icons\saypro.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=SayProDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Setup writes a log to %TEMP% on every run (Setup Log yyyy-mm-dd #nnn.txt); /LOG="file" chooses the file.
SetupLogging=yes
#ifdef SignToolName
SignTool={#SignToolName}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: modules of the old version must not linger beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Log and work SayPro inquiries"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installed program itself may leave in its folder; user data lives elsewhere (see [Code]).
Type: dirifempty; Name: "{app}"

[Code]
const
  { Where platformdirs puts a user's data: %LOCALAPPDATA%\SayPro\SayPro Desk. }
  DataSubPath = '\AppData\Local\SayPro\SayPro Desk';

var
  PurgeData: Boolean;

{ The config.ini written when there is none: every key commented out. }
function ConfigTemplate: String;
var
  NL: String;
begin
  NL := #13#10;
  Result := '; SayPro Desk machine-wide settings, read by every user''s SayPro Desk on this PC.' + NL +
    '; See docs/DEPLOYMENT.md. Remove the ; before a key to use it.' + NL +
    '[server]' + NL +
    '; url = https://desk.example.org' + NL + NL +
    '[paths]' + NL +
    '; data_dir = D:\SayPro Desk\%USERNAME%' + NL;
end;

{ True when /Name or /Name=value was given on the command line (any case). }
function CmdLineHas(const Name: String): Boolean;
var
  I: Integer;
  Arg: String;
begin
  Result := False;
  for I := 1 to ParamCount do
  begin
    Arg := Uppercase(ParamStr(I));
    if (Arg = '/' + Uppercase(Name)) or (Pos('/' + Uppercase(Name) + '=', Arg) = 1) then
    begin
      Result := True;
      Exit;
    end;
  end;
end;

function ServerUrlParam: String;
begin
  Result := Trim(ExpandConstant('{param:SERVERURL|}'));
end;

{ The same rule as saypro_desktop/machine_config.py: https, or http to this machine only (trials). }
function IsAcceptableServerUrl(const Url: String): Boolean;
var
  L: String;
begin
  L := Lowercase(Url);
  Result := ((Pos('https://', L) = 1) and (Length(L) > Length('https://')))
    or (Pos('http://localhost', L) = 1) or (Pos('http://127.0.0.1', L) = 1);
  if (Pos(' ', Url) > 0) or (Pos('?', Url) > 0) or (Pos('#', Url) > 0) then
    Result := False;
end;

function MachineConfigDir: String;
begin
  Result := ExpandConstant('{commonappdata}\SayPro Desk');
end;

function InitializeSetup: Boolean;
var
  Url: String;
begin
  Result := True;
  Url := ServerUrlParam;
  if (Url <> '') and not IsAcceptableServerUrl(Url) then
  begin
    Log('Refusing /SERVERURL=' + Url);
    SuppressibleMsgBox('/SERVERURL=' + Url + ' is not a valid server address.' + #13#10 +
      'Give it as https://server.example (plain http is accepted for localhost only).',
      mbCriticalError, MB_OK, IDOK);
    Result := False;  { Setup exits with code 1: nothing was installed }
  end;
end;

procedure WriteMachineConfig;
var
  Url, FileName: String;
begin
  FileName := MachineConfigDir + '\config.ini';
  Url := ServerUrlParam;
  if not ForceDirectories(MachineConfigDir) then
  begin
    Log('Could not create ' + MachineConfigDir);
    Exit;
  end;
  if not FileExists(FileName) then
  begin
    if SaveStringToFile(FileName, ConfigTemplate, False) then
      Log('Created ' + FileName)
    else
      Log('Could not create ' + FileName);
  end;
  if Url <> '' then
  begin
    if SetIniString('server', 'url', Url, FileName) then
      Log('Server URL ' + Url + ' written to ' + FileName)
    else
      SuppressibleMsgBox('The server address could not be written to ' + FileName + '.', mbError, MB_OK, IDOK);
  end
  else
    Log('No /SERVERURL given; ' + FileName + ' left as it was');
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    WriteMachineConfig;
end;

{ The folder holding every user profile (normally C:\Users). }
function ProfilesDir: String;
begin
  if not RegQueryStringValue(HKLM, 'SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList',
                             'ProfilesDirectory', Result) then
    Result := '';
  StringChangeEx(Result, '%SystemDrive%', ExpandConstant('{sd}'), True);
  if (Result = '') or not DirExists(Result) then
    Result := ExpandConstant('{sd}') + '\Users';
end;

{ Deletes the SayPro Desk data folder of every user profile and the machine-wide config. }
procedure DeleteAllData;
var
  Root, Dir: String;
  FindRec: TFindRec;
begin
  Root := ProfilesDir;
  if FindFirst(Root + '\*', FindRec) then
  begin
    try
      repeat
        if ((FindRec.Attributes and FILE_ATTRIBUTE_DIRECTORY) <> 0) and
           (FindRec.Name <> '.') and (FindRec.Name <> '..') then
        begin
          Dir := Root + '\' + FindRec.Name + DataSubPath;
          if DirExists(Dir) then
          begin
            if DelTree(Dir, True, True, True) then
              Log('Deleted ' + Dir)
            else
              Log('Could not delete ' + Dir);
            RemoveDir(ExtractFileDir(Dir));  { the SayPro folder, when nothing else is in it }
          end;
        end;
      until not FindNext(FindRec);
    finally
      FindClose(FindRec);
    end;
  end;
  if DirExists(MachineConfigDir) then
    if DelTree(MachineConfigDir, True, True, True) then
      Log('Deleted ' + MachineConfigDir);
end;

{ Asks a running SayPro Desk to close (it saves drafts), then ends what is left, so no file stays in use. }
procedure CloseRunningApp;
var
  ResultCode: Integer;
begin
  Exec(ExpandConstant('{sys}\taskkill.exe'), '/IM "{#AppExeName}" /IM "{#CliExeName}"', '', SW_HIDE,
       ewWaitUntilTerminated, ResultCode);
  Sleep(2000);
  Exec(ExpandConstant('{sys}\taskkill.exe'), '/F /T /IM "{#AppExeName}" /IM "{#CliExeName}"', '', SW_HIDE,
       ewWaitUntilTerminated, ResultCode);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
  begin
    CloseRunningApp;
    PurgeData := CmdLineHas('PURGEDATA');
    if not PurgeData and not UninstallSilent then
      PurgeData := SuppressibleMsgBox(
        'Also delete the SayPro Desk data of every user of this PC?' + #13#10 + #13#10 +
        'This removes their local databases, backups, attachments, drafts and logs (' + ProfilesDir +
        '\<user>' + DataSubPath + ') and the machine settings (' + MachineConfigDir + ').' + #13#10 +
        'Inquiries not yet synced to the server are lost. This cannot be undone.' + #13#10 + #13#10 +
        'Choose No to keep the data (a later install picks it up again).',
        mbConfirmation, MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES;
    if PurgeData then
      Log('User data will be deleted')
    else
      Log('User data is kept');
  end;
  if (CurUninstallStep = usPostUninstall) and PurgeData then
    DeleteAllData;
end;
