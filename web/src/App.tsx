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
const ImJoinPage = lazy(() => import('./features/im/JoinPage'));
const CalendarPage = lazy(() => import('./features/calendar/CalendarPage'));
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
          <Route path="/calendar" element={<CalendarPage />} />
          <Route path="/calendar/events/:eventId" element={<CalendarPage />} />
          <Route path="/notifications" element={<NotificationsPage />} />
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
