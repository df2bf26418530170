import { useQueryClient } from '@tanstack/react-query';
import { Spin } from 'antd';
import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useNavigate } from 'react-router';
import { setUnauthorizedHandler } from './api/client';
import { NAV_ITEMS } from './shell/navItems';

const LoginPage = lazy(() => import('./features/auth/LoginPage'));
const AppLayout = lazy(() => import('./shell/AppLayout'));
const DirectoryPage = lazy(() => import('./features/org/DirectoryPage'));
const AdminPage = lazy(() => import('./features/org/AdminPage'));
const TokensPage = lazy(() => import('./features/auth/TokensPage'));
const NotificationsPage = lazy(() => import('./features/notify/NotificationsPage'));
const NotifySettingsPage = lazy(() => import('./features/notify/NotifySettingsPage'));
const ImPage = lazy(() => import('./features/im/ImPage'));
const FormsHome = lazy(() => import('./features/forms/FormsHome'));
const FormsFillPage = lazy(() => import('./features/forms/FillPage'));
const FormsDesignerPage = lazy(() => import('./features/forms/DesignerPage'));
const FormsDataPage = lazy(() => import('./features/forms/DataPage'));
const FormsDashboardPage = lazy(() => import('./features/forms/DashboardPage'));
const ImJoinPage = lazy(() => import('./features/im/JoinPage'));
const ApprovalsPage = lazy(() => import('./features/approvals/ApprovalsPage'));
const ApprovalRequestPage = lazy(() => import('./features/approvals/RequestPage'));
const ApprovalSubmitPage = lazy(() => import('./features/approvals/SubmitPage'));
const ApprovalTemplatesPage = lazy(() => import('./features/approvals/TemplatesPage'));
const ApprovalDesignerPage = lazy(() => import('./features/approvals/DesignerPage'));
const DocsPage = lazy(() => import('./features/docs/DocsPage'));
const CalendarPage = lazy(() => import('./features/calendar/CalendarPage'));
const MeetingsPage = lazy(() => import('./features/meetings/MeetingsPage'));
const MeetingPage = lazy(() => import('./features/meetings/MeetingPage'));
const MeetingDisplayPage = lazy(() => import('./features/meetings/DisplayPage'));
const MeetingCheckinPage = lazy(() => import('./features/meetings/CheckinPage'));
const MinutesHome = lazy(() => import('./features/minutes/MinutesHome'));
const MinutesDetail = lazy(() => import('./features/minutes/MinutesDetail'));
const MeetingRoomPage = lazy(() => import('./features/meetings/RoomPage'));
const ComingSoonPage = lazy(() => import('./features/comingsoon/ComingSoonPage'));

export function PageSpinner() {
  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: 64 }}>
      <Spin size="large" />
    </div>
  );
}

export function App() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  useEffect(() => {
    setUnauthorizedHandler((next) => {
      queryClient.clear();
      void navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    });
  }, [navigate, queryClient]);

  return (
    <Suspense fallback={<PageSpinner />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to="/org" replace />} />
          <Route path="/org" element={<DirectoryPage />} />
          <Route path="/admin/*" element={<AdminPage />} />
          <Route path="/settings/tokens" element={<TokensPage />} />
          <Route path="/im" element={<ImPage />} />
          <Route path="/im/:conversationId" element={<ImPage />} />
          <Route path="/im/join/:token" element={<ImJoinPage />} />
          <Route path="/approvals" element={<ApprovalsPage />} />
          <Route path="/approvals/requests/:requestId" element={<ApprovalRequestPage />} />
          <Route path="/approvals/new/:templateId" element={<ApprovalSubmitPage />} />
          <Route path="/approvals/templates" element={<ApprovalTemplatesPage />} />
          <Route path="/approvals/templates/:templateId" element={<ApprovalDesignerPage />} />
          <Route path="/docs" element={<DocsPage />} />
          <Route path="/docs/:docId" element={<DocsPage />} />
          <Route path="/calendar" element={<CalendarPage />} />
          <Route path="/calendar/events/:eventId" element={<CalendarPage />} />
          <Route path="/meetings" element={<MeetingsPage />} />
          <Route path="/meetings/:meetingId" element={<MeetingPage />} />
          <Route path="/meetings/:meetingId/display" element={<MeetingDisplayPage />} />
          <Route path="/meetings/checkin/:meetingId" element={<MeetingCheckinPage />} />
          <Route path="/minutes" element={<MinutesHome />} />
          <Route path="/minutes/:minutesId" element={<MinutesDetail />} />
          <Route path="/meetings/:meetingId/room" element={<MeetingRoomPage />} />
          <Route path="/notifications" element={<NotificationsPage />} />
          <Route path="/forms" element={<FormsHome />} />
          <Route path="/forms/fill/:formId" element={<FormsFillPage />} />
          <Route path="/forms/:formId/design" element={<FormsDesignerPage />} />
          <Route path="/forms/:formId/data" element={<FormsDataPage />} />
          <Route path="/forms/:formId/dashboard" element={<FormsDashboardPage />} />
          <Route path="/settings/notifications" element={<NotifySettingsPage />} />
          {NAV_ITEMS.filter((item) => !item.ready).map((item) => (
            <Route
              key={item.key}
              path={`${item.path}/*`}
              element={<ComingSoonPage capability={item.key} />}
            />
          ))}
          <Route path="*" element={<Navigate to="/org" replace />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
